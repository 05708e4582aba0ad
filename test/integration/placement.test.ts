/**
 * Placement over the real stack (Temporal dev server, a CPU worker, three `modelship serve`
 * processes in two pools on one filesystem store): an endpoint placed on pool a is never loaded by
 * pool b's replica and the other way round; a canary under paced traffic on a placed endpoint fails
 * no request; `serving.replicas: 1` loads on one replica of two, and on the other once the first
 * dies; a pool with no live replica, and a model over a replica's memory budget, fail their release
 * with the reason.
 */
import { pathToFileURL } from 'node:url';
import { rendezvousOrder } from '../../activities/rollout/placementChoice';
import { liveReplicas } from '../../activities/rollout/replicas';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { ModelshipClient } from '../../sdk/client';
import { replicaStatus, routingDocument, type PipelineSpecInput, type ReplicaStatus, type ServingConfigInput } from '../../sdk/schemas';
import { FsArtifactStore, readDocument, storeKeys, type ArtifactStore } from '../../store';
import { startPacedTraffic } from '../support/pacedTraffic';
import { modelPath, runCli, startGatewayProcess, startWorkerProcess, tempDir, testEnv, type ExampleModel } from '../support/testEnv';

const A0 = 'pool-a-0';
const A1 = 'pool-a-1';
const B0 = 'pool-b-0';

let storeDir: string;
let store: ArtifactStore;
let worker: ManagedProcess;
let client: ModelshipClient;
const gateways: Record<string, { process: ManagedProcess; url: string }> = {};

beforeAll(async () => {
  storeDir = await tempDir('store-placement');
  store = new FsArtifactStore(storeDir);
  const started = await Promise.all([
    startWorkerProcess(storeDir),
    // Labels from the flag, from the environment, and a small memory budget (1 MiB: the 8 MB slow classifier does not fit).
    startGatewayProcess(storeDir, { replicaId: A0, extraArgs: ['--labels', 'pool=a,zone=x'] }),
    startGatewayProcess(storeDir, { replicaId: A1, env: { MODELSHIP_LABELS: 'pool=a' } }),
    startGatewayProcess(storeDir, { replicaId: B0, extraArgs: ['--labels', 'b', '--memory-budget', '1MiB'] }),
  ]);
  [worker, gateways[A0], gateways[A1], gateways[B0]] = started;
  client = await ModelshipClient.connect({ address: testEnv('temporalAddress'), store: storeDir });
});

afterAll(async () => {
  await client?.close();
  await Promise.all([worker?.stop(), ...Object.values(gateways).map((g) => g.process.stop())]);
});

function spec(endpoint: string, version: string, model: ExampleModel, serving: ServingConfigInput, rollout?: PipelineSpecInput['rollout']): PipelineSpecInput {
  return {
    endpoint,
    version,
    model: { source: pathToFileURL(modelPath(model)).href, task: 'classifier' },
    stages: { optimize: { enabled: false }, benchmark: { enabled: false } },
    serving,
    ...(rollout ? { rollout } : {}),
  };
}

async function deploy(input: PipelineSpecInput) {
  return (await client.deploy(input)).result();
}

/** The status code of `/v2/models/<endpoint>/ready` on a replica: 200 where it is loaded. */
async function readyOn(replicaId: string, endpoint: string): Promise<number> {
  const response = await fetch(`${gateways[replicaId]?.url}/v2/models/${endpoint}/ready`);
  await response.arrayBuffer();
  return response.status;
}

async function heartbeat(replicaId: string): Promise<ReplicaStatus> {
  const status = await readDocument(store, storeKeys.replica(replicaId), replicaStatus);
  if (!status) throw new Error(`no heartbeat from ${replicaId}`);
  return status;
}

test('an endpoint placed on pool a is never loaded by pool b, one on pool b never by pool a; status says where each runs', async () => {
  const [alpha, beta] = await Promise.all([
    deploy(spec('alpha', 'v1', 'classifier', { pool: 'a' })),
    deploy(spec('beta', 'v1', 'classifier', { pool: 'pool=b' })),
  ]);
  expect([alpha.outcome, beta.outcome]).toEqual(['promoted', 'promoted']);

  expect(await Promise.all([A0, A1, B0].map((r) => readyOn(r, 'alpha')))).toEqual([200, 200, 404]);
  expect(await Promise.all([A0, A1, B0].map((r) => readyOn(r, 'beta')))).toEqual([404, 404, 200]);
  const b = await heartbeat(B0);
  expect(Object.keys(b.endpoints)).toEqual(['beta']);
  expect(b.labels).toEqual({ pool: 'b' });
  expect(b.memoryBudgetBytes).toBe(1024 * 1024);
  expect(b.memoryUsedBytes).toBeGreaterThan(0);
  expect(Object.keys((await heartbeat(A1)).endpoints)).toEqual(['alpha']);
  expect((await heartbeat(A0)).labels).toEqual({ pool: 'a', zone: 'x' });

  const text = await runCli(['status', 'alpha'], { storeUri: storeDir });
  expect(text.code).toBe(0);
  expect(text.stdout).toContain('  placement  pool=a\n    v1 runs on pool-a-0 (pool=a,zone=x), pool-a-1 (pool=a)');
  expect(text.stdout).toMatch(/ {4}live {3}pool-b-0 {2}http:\S+ {2}not placed here {2}labels pool=b {2}memory [\d.]+ \S+ of 1\.0 MiB/);
  const json = await runCli(['status', 'alpha', '--json'], { storeUri: storeDir });
  const parsed = JSON.parse(json.stdout) as { placement: { selector: Record<string, string>; versions: Record<string, { replicaId: string }[]> } };
  expect(parsed.placement.selector).toEqual({ pool: 'a' });
  expect(parsed.placement.versions.v1?.map((r) => r.replicaId).sort()).toEqual([A0, A1]);
});

test('a canary on a placed endpoint under paced traffic fails no request, and pool b never loads it', async () => {
  const loads = [A0, A1].map((r) => startPacedTraffic(gateways[r]?.url ?? '', 'alpha', 20));
  let result;
  try {
    result = await deploy(
      spec(
        'alpha',
        'v2',
        'classifier',
        { pool: 'a' },
        {
          strategy: 'canary',
          watch: { duration: 0 },
          steps: [{ weight: 50, bake: '2s' }],
          // v2 is the same model: what this test pins is placement and 0 failed requests, not the
          // prediction-shift test's 1 % chance (alpha 0.01) of calling chance a shift (a CI run saw it).
          analysis: { minSamples: 30, latency: { maxP50Ratio: 2, maxP99Ratio: 3 }, predictions: { alpha: 0.0001 } },
        },
      ),
    );
  } finally {
    const paced = await Promise.all(loads.map((l) => l.stop()));
    expect(paced.flatMap((p) => p.failures)).toEqual([]);
    expect(Object.keys(paced[0]?.served ?? {}).sort()).toEqual(['v1', 'v2']);
  }
  expect({ outcome: result?.outcome, failure: result?.failure }).toEqual({ outcome: 'promoted', failure: undefined });
  expect(await readyOn(B0, 'alpha')).toBe(404);
  expect(Object.keys((await heartbeat(B0)).endpoints)).toEqual(['beta']);
});

test('serving.replicas: 1 of a pool of 2 loads on the one rendezvous hashing picks', async () => {
  const result = await deploy(spec('gamma', 'v1', 'classifier', { pool: 'a', replicas: 1 }));
  expect(result.outcome).toBe('promoted');
  const chosen = rendezvousOrder('gamma', [A0, A1])[0] as string;
  const other = chosen === A0 ? A1 : A0;
  expect((await readDocument(store, storeKeys.routing('gamma'), routingDocument))?.placement).toEqual({ selector: { pool: 'a' }, replicas: [chosen] });
  expect([await readyOn(chosen, 'gamma'), await readyOn(other, 'gamma'), await readyOn(B0, 'gamma')]).toEqual([200, 404, 404]);
  expect(Object.keys((await heartbeat(other)).endpoints)).not.toContain('gamma');
});

test('a pool with no live replica fails the release at once with the reason', async () => {
  const result = await deploy(spec('delta', 'v1', 'classifier', { pool: 'gpu-large' }));
  expect(result.outcome).toBe('failed');
  expect(result.failure?.type).toBe('NoReplicaInPool');
  expect(result.failure?.message).toContain('no live replica with pool=gpu-large');
});

test('a model over the replica memory budget is refused, and its release fails with the reason instead of waiting', async () => {
  const result = await deploy(spec('beta', 'v2', 'classifier_slow', { pool: 'b', instances: 1 }));
  expect(result.failure?.type).toBe('ReplicaLoadFailed');
  expect(result.failure?.message).toMatch(
    /pool-b-0 could not apply generation \d+ of beta: model [0-9a-f]{12} \(1 instance\(s\)\) needs ~8\.0 MiB, over this replica's memory budget of 1\.0 MiB/,
  );
  // Back on v1, which still serves.
  const response = await fetch(`${gateways[B0]?.url}/v2/models/beta/infer`, {
    method: 'POST',
    body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] }),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('x-modelship-version')).toBe('v1');
});

test('placement survives a replica dying: the next routing write places the endpoint on a live replica of the pool', async () => {
  const chosen = rendezvousOrder('gamma', [A0, A1])[0] as string;
  const survivor = chosen === A0 ? A1 : A0;
  await gateways[chosen]?.process.kill();
  // Killed without deregistering: its heartbeat stays until it is no longer live (three intervals).
  while ((await liveReplicas(store)).some((r) => r.replicaId === chosen)) await new Promise((r) => setTimeout(r, 250));

  const result = await deploy(spec('gamma', 'v2', 'classifier', { pool: 'a', replicas: 1 }, { strategy: 'direct' }));
  expect({ outcome: result.outcome, failure: result.failure }).toEqual({ outcome: 'promoted', failure: undefined });
  expect((await readDocument(store, storeKeys.routing('gamma'), routingDocument))?.placement).toEqual({ selector: { pool: 'a' }, replicas: [survivor] });
  expect(await readyOn(survivor, 'gamma')).toBe(200);
  expect((await heartbeat(survivor)).endpoints.gamma?.generation).toBeGreaterThan(1);
});
