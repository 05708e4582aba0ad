/**
 * Retrying a deployment (#20), over one stack of its own: a Temporal dev server, a SeaweedFS S3
 * server (the store, a versioned bucket, stopped to inject an infrastructure failure), a CPU worker
 * and a gateway. A stage that fails on the store past its retry budget (`attempts: 2`) waits
 * (`WaitingForRetry`: search attribute, status text, current details) and is promoted after
 * `modelship retry`; an abort while waiting (the UI's Signal) fails it with the stable version intact
 * and serving; `fail` mode fails at once; a reset to the benchmark stage (`temporal workflow reset`,
 * what the UI's Reset does) re-runs from there, the endpoint follows the new run, and the routing
 * generations run 1..N with no duplicate, the canary's first weight written once, and `follow()` goes
 * on with the new run. A direct release whose replica wait fails on the store after its routing
 * write returns to stable before it waits; the retry promotes it.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { describeDeployment } from '../../cli/deploymentView';
import { freePort } from '../../cli/dev/ports';
import { PACKAGE_ROOT, venvTool } from '../../cli/dev/projectPaths';
import { startTemporalDevServer, type DevServer } from '../../cli/dev/temporalDevServer';
import { ModelshipClient, type DeploymentEvent, type DeploymentHandle } from '../../sdk/client';
import { deploymentResult, type DeploymentStatus, type PipelineSpecInput } from '../../sdk/schemas';
import { classifierSpec } from '../support/classifierSpec';
import { inferHttp } from '../support/inference';
import { clientStore, expectConsistentEndpoint, routingHistory, versionedStore, type VersionedStore } from '../support/routingHistory';
import { startS3Server, type S3Server } from '../support/s3Server';
import { processEnv, startGatewayProcess, startWorkerProcess, tempDir, waitForStatus } from '../support/testEnv';
import { describingClient, waitForPendingActivity } from '../support/workflowActivities';

const ENDPOINT = 'retry-rollout';
let server: DevServer;
let s3: S3Server;
let store: VersionedStore;
let worker: ManagedProcess;
let gateway: { process: ManagedProcess; url: string };
let client: ModelshipClient;
let temporal: { client: Client; close(): Promise<void> };

/** The classifier's source as v1 stored it: deploying it touches no store on the client side. */
let storedSource: string;

/** A direct release whose stage activities get two attempts each, then wait (or fail) per `onInfrastructureFailure`. */
function spec(version: string, onInfrastructureFailure: PipelineSpecInput['onInfrastructureFailure'] = { attempts: 2 }): PipelineSpecInput {
  const input = classifierSpec(ENDPOINT, version, { rollout: { strategy: 'direct' } });
  return { ...input, model: { ...input.model, source: storedSource ?? input.model.source }, onInfrastructureFailure };
}

/** Polls `read` until it returns something `ok` accepts (`seconds`, 60 by default, at most: a bound on a hang, not a speed check). */
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, seconds = 60): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < seconds * 5; i++) {
    last = await read().catch(() => undefined);
    if (last !== undefined && ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: last seen ${JSON.stringify(last)}`);
}

/** Runs `bin/modelship` (or the `temporal` CLI) against this file's Temporal server. */
function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...processEnv(store.uri, store.env), TEMPORAL_ADDRESS: server.address };
  return new Promise((resolve) => {
    execFile(command, args, { env, cwd: PACKAGE_ROOT }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}
const modelship = (...args: string[]) => run(path.join(PACKAGE_ROOT, 'bin', 'modelship'), args);

/** Deploys `input` with the S3 server stopped until its ingest stage has failed on it (and waits for retry, or has failed). */
async function deployWithTheStoreDown(input: PipelineSpecInput): Promise<{ deployment: DeploymentHandle; status: DeploymentStatus }> {
  await s3.stop();
  try {
    const deployment = await client.deploy(input);
    const status = await eventually(
      () => deployment.status(),
      (s) => s.phase === 'WaitingForRetry' || s.phase === 'Failed',
      'the deployment did not stop on the store',
    );
    return { deployment, status };
  } finally {
    s3 = await s3.restart();
  }
}

/** Resets the deployment's latest run to the workflow task before its first `activityType` activity, as the UI's Reset does (`temporal workflow reset`). */
async function resetBefore(workflowId: string, activityType: string): Promise<void> {
  const events = (await temporal.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const scheduled = events.findIndex((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activityType);
  expect(scheduled).toBeGreaterThan(0);
  const resetPoint = events
    .slice(0, scheduled)
    .reverse()
    .find((e) => e.workflowTaskCompletedEventAttributes);
  const args = ['workflow', 'reset', '--address', server.address, '--workflow-id', workflowId, '--event-id', String(resetPoint?.eventId)];
  expect(await run(venvTool('temporal'), [...args, '--reason', `run again from ${activityType}`])).toMatchObject({ code: 0 });
}

/** The deployment's current details, as the Temporal UI reads them. */
async function currentDetails(workflowId: string): Promise<string> {
  const metadata = await temporal.client.workflow.getHandle(workflowId).query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? '';
}

async function expectStableServes(version: string): Promise<void> {
  expect((await client.endpoint(ENDPOINT).status()).stable?.version).toBe(version);
  const answer = await inferHttp(gateway.url, ENDPOINT, [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }]);
  expect(answer).toMatchObject({ status: 200, body: { model_version: version } });
}

beforeAll(async () => {
  const dir = await tempDir('retry-rollout');
  [server, s3] = await Promise.all([
    startTemporalDevServer({ port: await freePort(), dbFile: path.join(dir, 'temporal.db'), logTo: path.join(dir, 'temporal.log') }),
    startS3Server(),
  ]);
  store = await versionedStore(s3.endpoint, 'retry-rollout');
  [worker, gateway] = await Promise.all([
    startWorkerProcess(store.uri, { ...store.env, TEMPORAL_ADDRESS: server.address }),
    startGatewayProcess(store.uri, { replicaId: 'replica-0', env: store.env }),
  ]);
  client = await ModelshipClient.connect({ address: server.address, store: clientStore(store) });
  temporal = await describingClient(server.address);
  const first = await (await client.deploy(spec('v1'))).result();
  expect(first.outcome).toBe('promoted');
  storedSource = `store:${first.source?.key}`;
}, 120_000);

afterAll(async () => {
  await temporal?.close();
  await client?.close();
  await Promise.all([worker?.stop(), gateway?.process.stop()]);
  store?.s3.destroy();
  await Promise.all([server?.stop(), s3?.stop()]);
});

test('a stage failing on the store past its retries waits for retry (search attribute, status, details); `modelship retry` promotes it', async () => {
  const { deployment, status: waiting } = await deployWithTheStoreDown(spec('v2'));
  expect(waiting.phase).toBe('WaitingForRetry');
  const events: DeploymentEvent[] = [];
  const following = (async () => {
    for await (const event of deployment.events(100)) events.push(event);
  })();
  const stage = 'ingest';
  expect(waiting.waiting).toMatchObject({ stage, failure: { type: 'InfrastructureError', stage } });
  expect(waiting.stages.find((s) => s.name === stage)?.status).toBe('failed');

  // What the UI filters on, what `status` prints and what the UI's current details show.
  const listed = await eventually(
    async () => {
      const ids: string[] = [];
      for await (const w of temporal.client.workflow.list({ query: `ModelshipPhase = 'WaitingForRetry' AND ModelshipEndpoint = '${ENDPOINT}'` }))
        ids.push(w.workflowId);
      return ids;
    },
    (ids) => ids.length > 0,
    'the deployment is not listed as WaitingForRetry',
  );
  expect(listed).toEqual([deployment.workflowId]);
  const status = await modelship('status', `${ENDPOINT}/v2`);
  expect(status.stdout).toContain(`${deployment.workflowId}: WaitingForRetry`);
  expect(status.stdout).toContain(`the ${stage} stage failed: InfrastructureError`);
  expect(status.stdout).toContain(`modelship retry ${ENDPOINT}/v2`);
  expect(describeDeployment(waiting)).toContain('Send a Signal, name `retry` or `abort`');
  const details = await currentDetails(deployment.workflowId);
  expect(details).toContain('WaitingForRetry');
  expect(details).toContain('**Waiting for retry**');
  expect(details).toContain('More actions → Send a Signal');

  // Meanwhile the endpoint serves its stable version and queues the next deployment.
  await expectStableServes('v1');
  const next = await client.deploy(spec('v3'));
  expect((await client.endpoint(ENDPOINT).status()).queue.map((q) => q.version)).toEqual(['v3']);

  const retried = await modelship('retry', `${ENDPOINT}/v2`, '--by', 'oncall', '--reason', 'the store is back');
  expect(retried).toMatchObject({ code: 0, stdout: expect.stringContaining(`retrying the ${stage} stage`) });
  const result = await deployment.result();
  expect(result).toMatchObject({ outcome: 'promoted', decisions: [{ action: 'retry', stage, by: 'oncall', reason: 'the store is back' }] });
  expect(result.failure).toBeUndefined();
  expect(result.stages.find((s) => s.name === stage)?.status).toBe('succeeded');
  // events() (what `deploy --wait` follows) said it waited, and who retried it.
  await following;
  expect(events).toContainEqual(expect.objectContaining({ type: 'waiting', stage, failure: expect.objectContaining({ type: 'InfrastructureError' }) }));
  expect(events).toContainEqual(expect.objectContaining({ type: 'retried', stage, by: 'oncall' }));
  expect(events.at(-1)).toMatchObject({ type: 'finished', result: { outcome: 'promoted' } });
  expect((await next.result()).outcome).toBe('promoted');
  await expectConsistentEndpoint(store, client, ENDPOINT, [gateway.url]);
}, 240_000);

test('an abort while waiting (the UI’s Signal) fails the deployment as Aborted; the stable version stays, serving', async () => {
  const { deployment, status } = await deployWithTheStoreDown(spec('v4'));
  expect(status.phase).toBe('WaitingForRetry');
  const generations = (await routingHistory(store, ENDPOINT)).length;
  await temporal.client.workflow.getHandle(deployment.workflowId).signal('abort', { by: 'oncall', reason: 'a bad build' });
  const result = await deployment.result();
  expect(result).toMatchObject({ outcome: 'failed', failure: { type: 'Aborted', message: expect.stringContaining('aborted by oncall') } });
  expect(result.failure?.message).toContain('a bad build');
  expect((await routingHistory(store, ENDPOINT)).length).toBe(generations);
  await expectStableServes('v3');
  const history = await client.endpoint(ENDPOINT).history();
  expect(history.at(-1)).toMatchObject({ version: 'v4', kind: 'failed', stableAfter: 'v3' });
  // Nothing waits any more: a retry is answered at once with the reason.
  await expect(client.deployment(deployment.workflowId).retry({ by: 'oncall' })).rejects.toThrow();
}, 240_000);

test('`onInfrastructureFailure: fail` fails at once, as before', async () => {
  const { deployment, status } = await deployWithTheStoreDown(spec('v5', { action: 'fail', attempts: 2 }));
  expect(status.phase).toBe('Failed');
  const result = await deployment.result();
  expect(result).toMatchObject({ outcome: 'failed', failure: { type: 'InfrastructureError' } });
  expect(result.decisions).toBeUndefined();
  await expectStableServes('v3');
}, 240_000);

test('the abort Update (client) is accepted while waiting; with no decision within `waitUpTo` the deployment fails, saying so', async () => {
  const aborted = await deployWithTheStoreDown(spec('v5b'));
  expect(await aborted.deployment.abort({ by: 'ci', reason: 'superseded' })).toMatch(/aborting/);
  expect(await aborted.deployment.result()).toMatchObject({
    outcome: 'failed',
    failure: { type: 'Aborted', message: expect.stringContaining('aborted by ci') },
  });

  const unattended = await deployWithTheStoreDown(spec('v5c', { waitUpTo: '2s', attempts: 2 }));
  const result = await unattended.deployment.result();
  expect(result).toMatchObject({
    outcome: 'failed',
    failure: { type: 'InfrastructureError', stage: 'ingest', message: expect.stringContaining('nobody retried within 2s') },
  });
  await expectStableServes('v3');
}, 240_000);

test('a reset to the benchmark stage re-runs from there: the endpoint follows the new run; promoted once, no routing generation twice', async () => {
  const input: PipelineSpecInput = {
    ...spec('v6'),
    stages: { optimize: { enabled: false }, benchmark: { enabled: true, budget: '2s', minRegressionMs: 1000 } },
    rollout: { strategy: 'canary', watch: { duration: 0 }, steps: [{ weight: 25, bake: '1s', analysis: false, approval: { timeout: '10m' } }], timeout: '30s' },
  };
  const deployment = await client.deploy(input);
  await waitForStatus(deployment, (s) => s.rollout?.state === 'awaiting-approval');
  await expect(deployment.retry({ by: 'oncall' })).rejects.toThrow(/no stage is waiting for retry/);
  const handle = temporal.client.workflow.getHandle(deployment.workflowId);
  const firstRun = (await handle.describe()).runId;
  // Followed from before the reset: follow() (events(), `deploy --wait`) goes on with the new run.
  const followed = deployment.follow(() => undefined, 100);
  await resetBefore(deployment.workflowId, 'benchmarkCandidates');
  const newRun = await eventually(
    async () => (await handle.describe()).runId,
    (runId) => runId !== firstRun,
    'no new run after the reset',
  );
  await eventually(
    () => temporal.client.workflow.getHandle(deployment.workflowId, newRun).query<DeploymentStatus>('status'),
    (s) => s.rollout?.state === 'awaiting-approval',
    'the new run did not reach the approval',
  );
  // The endpoint did not take the first run's end for the deployment's: it follows the new run.
  await eventually(
    async () => (await client.endpoint(ENDPOINT).status()).active,
    (active) => active?.runId === newRun,
    'the endpoint did not follow the new run',
  );
  expect((await client.endpoint(ENDPOINT).status()).active).toMatchObject({ version: 'v6', resetRuns: [firstRun] });
  // The handle the deployment was started with follows the reset too.
  await deployment.approve({ by: 'oncall' });
  expect((await deployment.result()).outcome).toBe('promoted');
  expect((await followed).outcome).toBe('promoted');
  // No routing change applied twice: one routing document has the canary at its first weight.
  const canaryAt25 = (await routingHistory(store, ENDPOINT)).filter((doc) => doc.versions.some((v) => v.version === 'v6' && v.weight === 25));
  expect(canaryAt25).toHaveLength(1);
  const history = await client.endpoint(ENDPOINT).history();
  expect(history.filter((e) => e.version === 'v6')).toEqual([
    expect.objectContaining({ kind: 'promoted', runId: newRun, detail: expect.stringContaining(`reset: ran again as ${newRun}`) }),
  ]);
  await expectConsistentEndpoint(store, client, ENDPOINT, [gateway.url]);
}, 240_000);

test('a direct release that fails on the store after writing its routing returns every replica to stable before it waits; retry promotes it', async () => {
  // The replica cannot apply the release (stopped), so the release waits for it with its routing written; then the store goes.
  const stable = (await client.endpoint(ENDPOINT).status()).stable?.version as string;
  const pid = gateway.process.pid as number;
  process.kill(pid, 'SIGSTOP');
  let storeDown = false;
  let deployment: DeploymentHandle;
  try {
    deployment = await client.deploy({ ...spec('v7'), rollout: { strategy: 'direct', timeout: '90s' } });
    await eventually(
      () => routingHistory(store, ENDPOINT),
      (docs) => docs.at(-1)?.versions.some((v) => v.version === 'v7') === true,
      'the release did not write its routing',
      120,
    );
    storeDown = true;
    await s3.stop();
    // The release failed on the store (2 attempts); the way back to stable retries until the store is back.
    await waitForPendingActivity(temporal.client, deployment.workflowId, ['applyRouting']);
  } finally {
    process.kill(pid, 'SIGCONT');
    if (storeDown) s3 = await s3.restart();
  }
  const waiting = await eventually(
    () => deployment.status(),
    (s) => s.phase === 'WaitingForRetry' || s.phase === 'Failed',
    'the release did not wait for retry',
  );
  expect(waiting).toMatchObject({ phase: 'WaitingForRetry', waiting: { stage: 'release', failure: { type: 'InfrastructureError' } } });
  expect(waiting.waiting?.failure.message).toContain(`routing restored to ${stable} 100%`);
  // While it waits, the routing names the stable version alone, and the replica serves it (once its routing poll,
  // backed off through the store's outage, has read the restored generation: it may answer v7 for a moment first).
  expect((await routingHistory(store, ENDPOINT)).at(-1)?.versions.map((v) => v.version)).toEqual([stable]);
  await eventually(
    () => inferHttp(gateway.url, ENDPOINT, [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }]),
    (answer) => answer.status === 200 && (answer.body as { model_version?: string }).model_version === stable,
    `the replica does not serve ${stable} again`,
    30,
  );
  await expectStableServes(stable);
  expect(await deployment.retry({ by: 'oncall', reason: 'the store is back' })).toMatch(/retrying the release stage/);
  expect(await deployment.result()).toMatchObject({ outcome: 'promoted', decisions: [{ action: 'retry', stage: 'release' }] });
  await expectStableServes('v7');
  await expectConsistentEndpoint(store, client, ENDPOINT, [gateway.url]);
}, 240_000);

test('a deployment reset after its endpoint recorded it and moved on refuses to release (StaleRun): routing untouched', async () => {
  // v1 was promoted first (before all tests), then replaced: its endpoint recorded it long ago.
  const workflowId = `deploy/${ENDPOINT}/v1`;
  const stable = (await client.endpoint(ENDPOINT).status()).stable?.version as string;
  const generations = (await routingHistory(store, ENDPOINT)).length;
  await resetBefore(workflowId, 'checkActiveDeployment');
  const result = deploymentResult.parse(await temporal.client.workflow.getHandle(workflowId).result());
  expect(result).toMatchObject({ outcome: 'failed', failure: { type: 'StaleRun', stage: 'release', message: expect.stringContaining('deploy again') } });
  expect((await routingHistory(store, ENDPOINT)).length).toBe(generations);
  await expectStableServes(stable);
  expect((await client.endpoint(ENDPOINT).history()).filter((e) => e.version === 'v1')).toHaveLength(1);
}, 240_000);
