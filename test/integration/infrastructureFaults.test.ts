/**
 * Faults of the parts around the worker, each mid-rollout, over one stack of its own: a Temporal
 * dev server on a SQLite file, a SeaweedFS S3 server (the store, a versioned bucket), a CPU worker
 * and two gateway replicas. A gateway replica SIGKILLed mid-step; the S3 server stopped for 8 s,
 * then frozen for 8 s (its calls hang rather than fail); the Temporal server restarted with two
 * deployments queued at the endpoint. Every deployment ends promoted or rolled back, in order; the
 * routing generations written run 1..N with no gap and no duplicate; a paced client on each
 * surviving replica never sees a failure.
 */
import path from 'node:path';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { classifierSpec } from '../support/classifierSpec';
import { freePort } from '../../cli/dev/ports';
import { startTemporalDevServer, type DevServer } from '../../cli/dev/temporalDevServer';
import { ModelshipClient } from '../../sdk/client';
import type { DeploymentResult, PipelineSpecInput } from '../../sdk/schemas';
import { startPacedTraffic, type PacedResult } from '../support/pacedTraffic';
import { activityAttempts, describingClient, waitForPendingActivity } from '../support/workflowActivities';
import { clientStore, expectConsistentEndpoint, versionedStore, type VersionedStore } from '../support/routingHistory';
import { startS3Server, type S3Server } from '../support/s3Server';
import { startGatewayProcess, startWorkerProcess, tempDir, waitForStatus } from '../support/testEnv';

const ENDPOINT = 'infra-faults';
let server: DevServer;
let s3: S3Server;
let store: VersionedStore;
let worker: ManagedProcess;
const replicas: { process: ManagedProcess; url: string }[] = [];
let client: ModelshipClient;
let dbFile: string;
let port: number;

function spec(version: string, rollout: PipelineSpecInput['rollout']): PipelineSpecInput {
  return classifierSpec(ENDPOINT, version, { rollout });
}

const canary = (steps: { weight: number; bake: string }[], minReplicas = 1): PipelineSpecInput['rollout'] => ({
  strategy: 'canary',
  watch: { duration: 0 },
  steps,
  analysis: { minSamples: 20, latency: { maxP50Ratio: 5, maxP99Ratio: 10 } },
  timeout: '30s',
  minReplicas,
});

/** Two short steps: the victim dies during the second one's routing change. */
const TWO_STEPS = [
  { weight: 25, bake: '3s' },
  { weight: 50, bake: '3s' },
];

function startReplica(i: number, replicaPort?: number): Promise<{ process: ManagedProcess; url: string }> {
  return startGatewayProcess(store.uri, { replicaId: `replica-${i}`, env: store.env, ...(replicaPort ? { port: replicaPort } : {}) });
}

/** Freezes the S3 server (SIGSTOP: connections open, nothing answered) or lets it go on; a no-op once it has exited. */
function freezeS3(frozen: boolean): void {
  const child = s3?.process.child;
  if (child && child.exitCode === null && child.signalCode === null) process.kill(child.pid as number, frozen ? 'SIGSTOP' : 'SIGCONT');
}

/** Every replica's URL. */
const urls = (): string[] => replicas.map((r) => r.url);

/** Paced traffic on each of `urls` until `body` ends; every client's result. */
async function withTraffic(urls: string[], body: () => Promise<void>): Promise<PacedResult[]> {
  const clients = urls.map((url) => startPacedTraffic(url, ENDPOINT));
  try {
    await body();
  } finally {
    // Stopped in any case; the results are returned only when the body succeeded.
    await Promise.all(clients.map((c) => c.stop()));
  }
  return Promise.all(clients.map((c) => c.stop()));
}

/**
 * How long the S3 server is stopped or frozen: longer than the 5 s bake, so the analysis and the
 * promotion meet the outage (and the activity retries, 1 s doubling, reach past it).
 */
const OUTAGE_MS = 8_000;

const versionsOf = (doc: { versions: { version: string; weight: number }[] }): string => doc.versions.map((v) => `${v.version} ${v.weight}`).join(', ');

beforeAll(async () => {
  const dir = await tempDir('infra-faults');
  dbFile = path.join(dir, 'temporal.db');
  port = await freePort();
  [server, s3] = await Promise.all([startTemporalDevServer({ port, dbFile, logTo: path.join(dir, 'temporal.log') }), startS3Server()]);
  store = await versionedStore(s3.endpoint, 'infra-faults');
  const started = await Promise.all([startWorkerProcess(store.uri, { ...store.env, TEMPORAL_ADDRESS: server.address }), startReplica(0), startReplica(1)]);
  worker = started[0];
  replicas.push(started[1], started[2]);
  client = await ModelshipClient.connect({ address: server.address, store: clientStore(store) });
  expect((await (await client.deploy(spec('v1', { strategy: 'direct', minReplicas: 2 }))).result()).outcome).toBe('promoted');
});

afterAll(async () => {
  freezeS3(false);
  await client?.close();
  await Promise.all([worker?.stop(), ...replicas.map((r) => r.process.stop())]);
  store?.s3.destroy();
  await Promise.all([server?.stop(), s3?.stop()]);
});

test('a gateway replica SIGKILLed mid-step: the rollout goes on with the survivor, whose traffic never fails', async () => {
  const [survivor, victim] = replicas as [{ process: ManagedProcess; url: string }, { process: ManagedProcess; url: string }];
  const temporal = await describingClient(server.address);
  let result: DeploymentResult | undefined;
  const [traffic] = await withTraffic([survivor.url], async () => {
    const deployment = await client.deploy(spec('v2', canary(TWO_STEPS)));
    await waitForStatus(deployment, (s) => s.rollout?.state === 'baking');
    // The next routing change (the 50% step) waits for every live replica: the victim dies while it does.
    await waitForPendingActivity(temporal.client, deployment.workflowId, ['applyRouting']);
    await victim.process.kill();
    result = await deployment.result();
  });
  await temporal.close();
  // Restarted on its port before anything is judged (so a failure here does not cascade into the next tests' traffic).
  replicas[1] = await startReplica(1, Number(new URL(victim.url).port));
  expect(result).toMatchObject({ outcome: 'promoted', release: { replicas: [expect.objectContaining({ replicaId: 'replica-0' })] } });
  expect(traffic?.failures).toEqual([]);
  expect(Object.keys(traffic?.served ?? {}).sort()).toEqual(['v1', 'v2']);
  const history = await expectConsistentEndpoint(store, client, ENDPOINT, [survivor.url]);
  expect(history.map(versionsOf)).toEqual(['v1 100', 'v1 75, v2 25', 'v1 50, v2 50', 'v2 100']);

  // The restarted replica comes back to what the routing says.
  await expectConsistentEndpoint(store, client, ENDPOINT, urls());
});

test('a gateway replica SIGKILLed mid-step when two are required: the step waits for it, and goes on once it is back', async () => {
  const [survivor, victim] = replicas as [{ process: ManagedProcess; url: string }, { process: ManagedProcess; url: string }];
  const temporal = await describingClient(server.address);
  let result: DeploymentResult | undefined;
  const [traffic] = await withTraffic([survivor.url], async () => {
    const deployment = await client.deploy(spec('v2b', canary(TWO_STEPS, 2)));
    await waitForStatus(deployment, (s) => s.rollout?.state === 'baking');
    await waitForPendingActivity(temporal.client, deployment.workflowId, ['applyRouting']);
    await victim.process.kill();
    // One live replica of the two required: the routing change waits (its timeout is 30 s) until the replica is back.
    replicas[1] = await startReplica(1, Number(new URL(victim.url).port));
    result = await deployment.result();
  });
  await temporal.close();
  expect(result).toMatchObject({ outcome: 'promoted' });
  expect(result?.release?.replicas.map((r) => r.replicaId).sort()).toEqual(['replica-0', 'replica-1']);
  expect(traffic?.failures).toEqual([]);
  const history = await expectConsistentEndpoint(store, client, ENDPOINT, urls());
  expect(history.slice(4).map(versionsOf)).toEqual(['v2 75, v2b 25', 'v2 50, v2b 50', 'v2b 100']);
});

test('the S3 server stopped mid-rollout: the gateways keep serving, the rollout retries and is promoted once it is back', async () => {
  let result: DeploymentResult | undefined;
  const temporal = await describingClient(server.address);
  const traffic = await withTraffic(urls(), async () => {
    const deployment = await client.deploy(spec('v3', canary([{ weight: 50, bake: '5s' }])));
    await waitForStatus(deployment, (s) => s.rollout?.state === 'baking');
    await s3.stop();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    s3 = await s3.restart();
    result = await deployment.result();
  });
  expect(result).toMatchObject({ outcome: 'promoted' });
  // The outage was felt: an activity of the rollout (the analysis or the promotion) failed on it and was retried.
  const retried = Object.entries(await activityAttempts(temporal.client, 'deploy/infra-faults/v3')).filter(([, attempts]) => attempts > 1);
  await temporal.close();
  expect(retried).not.toEqual([]);
  for (const t of traffic) expect(t.failures).toEqual([]);
  const history = await expectConsistentEndpoint(store, client, ENDPOINT, urls());
  expect(history.slice(7).map(versionsOf)).toEqual(['v2b 50, v3 50', 'v3 100']);
}, 180_000);

test('the S3 server frozen (SIGSTOP) mid-rollout: calls hang instead of failing, and everything resumes when it does', async () => {
  let result: DeploymentResult | undefined;
  const traffic = await withTraffic(urls(), async () => {
    const deployment = await client.deploy(spec('v3b', canary([{ weight: 50, bake: '5s' }])));
    await waitForStatus(deployment, (s) => s.rollout?.state === 'baking');
    freezeS3(true);
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    freezeS3(false);
    result = await deployment.result();
  });
  expect(result).toMatchObject({ outcome: 'promoted' });
  for (const t of traffic) expect(t.failures).toEqual([]);
  const history = await expectConsistentEndpoint(store, client, ENDPOINT, urls());
  expect(history.slice(9).map(versionsOf)).toEqual(['v3 50, v3b 50', 'v3b 100']);
}, 180_000);

test('the Temporal server restarted with two deployments queued: both end, in order, and the routing history has no gap', async () => {
  const traffic = await withTraffic(urls(), async () => {
    const first = await client.deploy(spec('v4', canary([{ weight: 50, bake: '6s' }])));
    const second = await client.deploy(spec('v5', canary([{ weight: 50, bake: '2s' }])));
    await waitForStatus(first, (s) => s.rollout?.state === 'baking');
    expect((await client.endpoint(ENDPOINT).status()).queue.map((q) => q.version)).toEqual(['v5']);
    await client.close();
    await server.stop();
    server = await startTemporalDevServer({ port, dbFile });
    client = await ModelshipClient.connect({ address: server.address, store: clientStore(store) });
    expect((await client.deployment(first.workflowId).result()).outcome).toBe('promoted');
    expect((await client.deployment(second.workflowId).result()).outcome).toBe('promoted');
  });
  for (const t of traffic) expect(t.failures).toEqual([]);
  const events = await client.endpoint(ENDPOINT).history();
  expect(events.slice(-2).map((e) => [e.version, e.kind])).toEqual([
    ['v4', 'promoted'],
    ['v5', 'promoted'],
  ]);
  const history = await expectConsistentEndpoint(store, client, ENDPOINT, urls());
  expect(history.slice(11).map(versionsOf)).toEqual(['v3b 50, v4 50', 'v4 100', 'v4 50, v5 50', 'v5 100']);
}, 180_000);
