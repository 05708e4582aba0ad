/**
 * The CPU worker SIGKILLed at each stage of a deployment — ingest, convert, validate, benchmark, the
 * canary step's routing change, the bake — and during a rollback (returnToStable): each time a new
 * worker is started, Temporal retries what was in flight, and the deployment ends promoted or
 * rolled back. The store is a versioned S3 bucket, so every routing document ever written is
 * checked: generations 1..N, no gap, no duplicate; traffic to the gateway never fails.
 *
 * Recovery is bounded by the stage's heartbeat timeout (the stage timeout, at most 60 s), so the
 * specs here use short ones. To be sure a routing change is in flight when the worker dies, the
 * gateway is paused (SIGSTOP) first: the activity then waits for it to apply the new generation.
 */
import { pathToFileURL } from 'node:url';
import type { Client } from '@temporalio/client';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { ModelshipClient } from '../../sdk/client';
import type { PipelineSpecInput } from '../../sdk/schemas';
import { startPacedTraffic } from '../support/pacedTraffic';
import { activityAttempts, describingClient, waitForPendingActivity, type InFlight } from '../support/workflowActivities';
import { clientStore, expectConsistentEndpoint, versionedStore, type VersionedStore } from '../support/routingHistory';
import { modelPath, startGatewayProcess, startWorkerProcess, testEnv, waitForStatus } from '../support/testEnv';
import { sameModelAnalysis } from '../support/classifierSpec';

const ENDPOINT = 'worker-faults';
let store: VersionedStore;
let worker: ManagedProcess;
let gateway: { process: ManagedProcess; url: string };
let client: ModelshipClient;
let temporal: { client: Client; close(): Promise<void> };

/** A classifier deployment with stage timeouts short enough that a lost attempt is retried soon. */
function spec(version: string, rollout: PipelineSpecInput['rollout']): PipelineSpecInput {
  return {
    endpoint: ENDPOINT,
    version,
    model: { source: pathToFileURL(modelPath('classifier')).href, task: 'classifier' },
    stages: {
      // Each is also how long the server waits out a killed attempt (its heartbeat timeout): twice or more what
      // the stage takes on a loaded machine; an attempt that runs over is retried (8 attempts).
      ingest: { timeout: '6s' },
      convert: { timeout: '8s' },
      optimize: { enabled: false },
      validate: { timeout: '8s' },
      benchmark: { timeout: '8s', budget: '2s', maxRegressionPercent: 1000 },
    },
    rollout,
  };
}

const canary = (bake: string): PipelineSpecInput['rollout'] => ({
  strategy: 'canary',
  watch: { duration: 0 },
  steps: [{ weight: 50, bake }],
  analysis: sameModelAnalysis({ minSamples: 20, latency: { maxP50Ratio: 5, maxP99Ratio: 10 } }),
  timeout: '5s',
});

/** SIGKILL, then a new worker (its start overlaps the heartbeat timeout the server waits out). */
async function crashWorker(): Promise<void> {
  await worker.kill();
  worker = await startWorkerProcess(store.uri, store.env);
}

/** Pauses the gateway (SIGSTOP) or lets it go on (SIGCONT); a no-op once it has exited. */
function pauseGateway(paused: boolean): void {
  const child = gateway?.process.child;
  if (child && child.exitCode === null && child.signalCode === null) process.kill(child.pid as number, paused ? 'SIGSTOP' : 'SIGCONT');
}

beforeAll(async () => {
  store = await versionedStore(testEnv('s3Endpoint'), 'worker-faults');
  [worker, gateway] = await Promise.all([startWorkerProcess(store.uri, store.env), startGatewayProcess(store.uri, { env: store.env })]);
  client = await ModelshipClient.connect({ address: testEnv('temporalAddress'), store: clientStore(store) });
  temporal = await describingClient(testEnv('temporalAddress'));
  expect((await (await client.deploy(spec('v1', { strategy: 'direct', timeout: '5s' }))).result()).outcome).toBe('promoted');
});

afterAll(async () => {
  pauseGateway(false);
  await client?.close();
  await temporal?.close();
  await Promise.all([worker?.stop(), gateway?.process.stop()]);
  store?.s3.destroy();
});

test('a worker SIGKILLed in each stage of a deployment is replaced each time, and the deployment is promoted', async () => {
  const traffic = startPacedTraffic(gateway.url, ENDPOINT);
  const hits: InFlight[] = [];
  try {
    const stages = ['ingestModel', 'convertModel', 'validateCandidate', 'benchmarkCandidates'];
    // Watched from before the submission: ingest takes a fraction of a second.
    const ingest = waitForPendingActivity(temporal.client, 'deploy/worker-faults/v2', stages, true);
    const deployment = await client.deploy(spec('v2', canary('3s')));
    for (let next = 0; next < stages.length; ) {
      const hit = next === 0 ? await ingest : await waitForPendingActivity(temporal.client, deployment.workflowId, stages.slice(next), true);
      if (hit.activityType === 'benchmarkCandidates') pauseGateway(true); // stale by the time the step's routing is written: it waits
      await crashWorker();
      hits.push(hit);
      next = stages.indexOf(hit.activityType) + 1;
    }
    hits.push(await waitForPendingActivity(temporal.client, deployment.workflowId, ['applyRouting']));
    await worker.kill();
    pauseGateway(false);
    worker = await startWorkerProcess(store.uri, store.env);
    await waitForStatus(deployment, (s) => s.rollout?.state === 'baking');
    await crashWorker();

    const result = await deployment.result();
    expect(result.outcome).toBe('promoted');
    expect(result.rollout?.steps[0]).toMatchObject({ weight: 50, status: 'passed', verdict: { status: 'pass' } });
  } finally {
    const sent = await traffic.stop();
    expect(sent.failures).toEqual([]);
    expect(Object.keys(sent.served).sort()).toEqual(['v1', 'v2']);
  }
  // The step's routing change was in flight when its worker died (the paused gateway held it): a later attempt applied it.
  expect(hits.map((h) => h.activityType)).toContain('applyRouting');
  expect((await activityAttempts(temporal.client, 'deploy/worker-faults/v2')).applyRouting).toBeGreaterThan(1);
  const history = await expectConsistentEndpoint(store, client, ENDPOINT, [gateway.url]);
  // v1; the 50% step; the promotion: each written once, whatever was retried.
  expect(history.map((d) => d.versions.map((v) => `${v.version} ${v.weight}`).join(', '))).toEqual(['v1 100', 'v1 50, v2 50', 'v2 100']);
}, 300_000);

test('a worker SIGKILLed while it returns traffic to stable (an abort mid-bake) is replaced, and the rollback completes', async () => {
  const traffic = startPacedTraffic(gateway.url, ENDPOINT);
  try {
    // The stages are not what this test kills: no benchmark.
    const v3 = spec('v3', canary('60s'));
    const deployment = await client.deploy({ ...v3, stages: { ...v3.stages, benchmark: { enabled: false } } });
    await waitForStatus(deployment, (s) => s.rollout?.state === 'baking');
    // Paused, the gateway holds the return's routing change until its heartbeat goes stale (3 s).
    pauseGateway(true);
    expect(await deployment.abort({ by: 'test', reason: 'fault matrix' })).toMatch(/abort/);
    await worker.kill();
    pauseGateway(false);
    worker = await startWorkerProcess(store.uri, store.env);

    const result = await deployment.result();
    expect(result.outcome).toBe('rolledBack');
    expect(result.rollout?.rollback?.reason).toMatch(/abort/i);
    expect((await activityAttempts(temporal.client, deployment.workflowId)).applyRouting).toBeGreaterThan(1);
  } finally {
    const sent = await traffic.stop();
    expect(sent.failures).toEqual([]);
  }
  const history = await expectConsistentEndpoint(store, client, ENDPOINT, [gateway.url]);
  expect(history.slice(3).map((d) => d.versions.map((v) => `${v.version} ${v.weight}`).join(', '))).toEqual(['v2 50, v3 50', 'v2 100']);
  expect((await client.endpoint(ENDPOINT).status()).stable?.version).toBe('v2');
});
