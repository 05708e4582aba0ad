/**
 * Change-driven reconciliation over a real S3 server (SeaweedFS) and two gateway replicas as
 * separate processes: a routing change reaches both through the routing change log (their full
 * pass is 10 minutes away and nothing nudges them), and a replica frozen with SIGSTOP (alive to its
 * heartbeat for three beats, answering nothing) does not hold a step past its timeout when the
 * other meets `minReplicas`: the step goes on and names it stale; it is stale in the store once its
 * beats stop; a step that needs it still times out.
 */
import { readFile } from 'node:fs/promises';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { standaloneContext } from '../../activities/activityContext';
import { releaseVersion } from '../../activities/rollout/releaseVersion';
import { registeredReplicas } from '../../activities/rollout/replicas';
import { putModel, storeKeys, type ArtifactStore } from '../../store';
import { clientStore, versionedStore } from '../support/routingHistory';
import { startS3Server, type S3Server } from '../support/s3Server';
import { ADMIN_TOKEN, modelPath, startGatewayProcess } from '../support/testEnv';

const ENDPOINT = 'changes';
let s3: S3Server;
let store: ArtifactStore;
const replicas: { process: ManagedProcess; url: string }[] = [];
const context = standaloneContext();

/** Pauses (SIGSTOP) or resumes a replica process; a no-op once it has exited. */
function freeze(replica: { process: ManagedProcess } | undefined, frozen: boolean): void {
  const child = replica?.process.child;
  if (child && child.exitCode === null && child.signalCode === null) process.kill(child.pid as number, frozen ? 'SIGSTOP' : 'SIGCONT');
}

beforeAll(async () => {
  s3 = await startS3Server();
  const bucket = await versionedStore(s3.endpoint, 'change-driven');
  store = clientStore(bucket);
  // Polls the change log every 500 ms; beats every 2 s (stale after 6 s); a full pass only every 10 minutes.
  const extraArgs = ['--poll-interval', '500', '--heartbeat-interval', '2000', '--full-reconcile-interval', '600000'];
  replicas.push(...(await Promise.all([0, 1].map((i) => startGatewayProcess(bucket.uri, { replicaId: `change-${i}`, env: bucket.env, extraArgs })))));
});

afterAll(async () => {
  freeze(replicas[1], false);
  await Promise.all(replicas.map((r) => r.process.stop()));
  store?.close?.();
  await s3?.stop();
});

async function servedGeneration(url: string): Promise<number | undefined> {
  const response = await fetch(`${url}/admin/status`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return ((await response.json()) as { endpoints: Record<string, { generation: number }> }).endpoints[ENDPOINT]?.generation;
}

test('a routing change reaches both replicas through the change log, without a nudge or a full pass', async () => {
  const { digest } = await putModel(store, await readFile(modelPath('classifier')), 'onnx');
  // No admin token: the release does not nudge; only the replicas' change-log polls can bring it.
  const report = await releaseVersion({ store, context }, { endpoint: ENDPOINT, version: 'v1', digest, timeoutMs: 30_000, minReplicas: 2, updatedBy: 'test' });
  expect(report.replicas.map((r) => [r.replicaId, r.generation]).sort()).toEqual([
    ['change-0', 1],
    ['change-1', 1],
  ]);
  for (const r of replicas) expect(await servedGeneration(r.url)).toBe(1);
  expect((await store.list(storeKeys.routingChangesPrefix)).map((key) => storeKeys.routingChangeOf(key))).toEqual([
    expect.objectContaining({ endpoint: ENDPOINT, generation: 1 }),
  ]);
});

test('a frozen replica does not hold a step past its timeout when minReplicas is met: the step goes on and names it', async () => {
  const { digest } = await putModel(store, await readFile(modelPath('classifier_perturbed')), 'onnx');
  freeze(replicas[1], true);
  const report = await releaseVersion(
    { store, context, adminToken: ADMIN_TOKEN },
    { endpoint: ENDPOINT, version: 'v2', digest, timeoutMs: 3000, minReplicas: 1, updatedBy: 'test' },
  );
  expect(report.replicas.map((r) => [r.replicaId, r.generation])).toEqual([['change-0', 2]]);
  expect(report.staleReplicas?.map((r) => r.replicaId)).toEqual(['change-1']);

  // A step that needs both replicas still fails at its timeout, with the reason.
  await expect(
    releaseVersion(
      { store, context, adminToken: ADMIN_TOKEN },
      { endpoint: ENDPOINT, version: 'v1', digest, timeoutMs: 3000, minReplicas: 2, updatedBy: 'test' },
    ),
  ).rejects.toThrow(/not applied within 3000 ms/);

  // Its beats stopped: the store's registry reports it stale (what `modelship status` lists).
  while (!(await registeredReplicas(store)).stale.some((r) => r.replicaId === 'change-1')) await new Promise((r) => setTimeout(r, 250));
  expect((await registeredReplicas(store)).live.map((r) => r.replicaId)).toEqual(['change-0']);

  // Thawed, it catches up from the change log and beats again.
  freeze(replicas[1], false);
  const url = (replicas[1] as { url: string }).url;
  while ((await servedGeneration(url)) !== 3) await new Promise((r) => setTimeout(r, 250));
  while (!(await registeredReplicas(store)).live.some((r) => r.replicaId === 'change-1')) await new Promise((r) => setTimeout(r, 250));
});
