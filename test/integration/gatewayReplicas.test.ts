/**
 * Gateway replicas as separate processes sharing one store: both report the generation they
 * applied, a release waits for every live replica, and a replica killed with SIGKILL comes back
 * to the desired state on restart.
 */
import { readFile } from 'node:fs/promises';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { freePort } from '../../cli/dev/ports';
import { releaseVersion, writeRouting } from '../../activities/rollout/releaseVersion';
import { liveReplicas } from '../../activities/rollout/replicas';
import { standaloneContext } from '../../activities/activityContext';
import { FsArtifactStore, putModel, readDocument, storeKeys, type ArtifactStore } from '../../store';
import { routingDocument } from '../../sdk/schemas';
import { ADMIN_TOKEN, modelPath, startGatewayProcess, tempDir } from '../support/testEnv';

let storeDir: string;
let store: ArtifactStore;
const replicas: { process: ManagedProcess; url: string }[] = [];

const context = standaloneContext();

beforeAll(async () => {
  storeDir = await tempDir('store-replicas');
  store = new FsArtifactStore(storeDir);
});

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.process.stop()));
});

async function status(url: string): Promise<{ endpoints: Record<string, { generation: number }> }> {
  const response = await fetch(`${url}/admin/status`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return (await response.json()) as { endpoints: Record<string, { generation: number }> };
}

test('a release waits until every live replica serves the new generation', async () => {
  const ports = [await freePort(), await freePort()];
  replicas.push(...(await Promise.all(ports.map((port, i) => startGatewayProcess(storeDir, { port, replicaId: `replica-${i}` })))));
  expect((await liveReplicas(store)).map((r) => r.replicaId).sort()).toEqual(['replica-0', 'replica-1']);

  const { digest } = await putModel(store, await readFile(modelPath('classifier')), 'onnx');
  const report = await releaseVersion(
    { store, context, adminToken: ADMIN_TOKEN },
    { endpoint: 'fleet', version: 'v1', digest, timeoutMs: 30_000, minReplicas: 2, updatedBy: 'test' },
  );
  expect(report.generation).toBe(1);
  expect(report.replicas.map((r) => [r.replicaId, r.generation]).sort()).toEqual([
    ['replica-0', 1],
    ['replica-1', 1],
  ]);
  for (const r of replicas) expect((await status(r.url)).endpoints.fleet?.generation).toBe(1);
});

test('a replica killed with SIGKILL comes back to the desired state on restart', async () => {
  const { digest } = await putModel(store, await readFile(modelPath('classifier_perturbed')), 'onnx');
  await releaseVersion(
    { store, context, adminToken: ADMIN_TOKEN },
    { endpoint: 'fleet', version: 'v2', digest, timeoutMs: 30_000, minReplicas: 2, updatedBy: 'test' },
  );
  const victim = replicas[1] as { process: ManagedProcess; url: string };
  await victim.process.kill();
  const port = Number(new URL(victim.url).port);
  const restarted = await startGatewayProcess(storeDir, { port, replicaId: 'replica-1' });
  replicas[1] = restarted;

  expect((await status(restarted.url)).endpoints.fleet?.generation).toBe(2);
  const response = await fetch(`${restarted.url}/v2/models/fleet/infer`, {
    method: 'POST',
    body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] }),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('x-modelship-version')).toBe('v2');
});

test('a release with fewer live replicas than required times out with the reason', async () => {
  const { digest } = await putModel(store, await readFile(modelPath('classifier')), 'onnx');
  const before = await readDocument(store, storeKeys.routing('fleet'), routingDocument);
  await expect(
    releaseVersion(
      { store, context, adminToken: ADMIN_TOKEN },
      { endpoint: 'fleet', version: 'v3', digest, timeoutMs: 1500, minReplicas: 3, updatedBy: 'test' },
    ),
  ).rejects.toThrow(/not applied within 1500 ms: 2 live gateway replica\(s\), 3 required/);
  // Going back is the workflow's act (returnToStable, tested over the real stack in deployModel.test.ts):
  // the activity leaves the routing as it wrote it; here the test puts the previous routing back itself.
  expect((await readDocument(store, storeKeys.routing('fleet'), routingDocument))?.versions.map((v) => v.version)).toEqual(['v3']);
  await writeRouting(store, 'fleet', 'test', { versions: before?.versions ?? [] });
});

test('a stopped replica deregisters and is no longer waited for', async () => {
  const leaving = replicas.pop() as { process: ManagedProcess; url: string };
  await leaving.process.stop();
  expect((await liveReplicas(store)).map((r) => r.replicaId)).toEqual(['replica-0']);
});
