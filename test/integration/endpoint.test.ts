/**
 * The endpoint entity workflow over the real stack: one deployment at a time (a second one queues,
 * or is refused with `whenBusy: refuse`), live state and history, `modelship rollback` to the
 * previous stable version, continue-as-new carrying the state; blue/green with a smoke preview and
 * a rollback window; a header-match canary phase.
 */
import { pathToFileURL } from 'node:url';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { startTraffic } from '../../cli/trafficGenerator';
import { FsArtifactStore, readDocument, storeKeys } from '../../store';
import { ControlRejectedError, DeploymentRefusedError, type ModelshipClient, type DeploymentEvent } from '../../sdk/client';
import { endpointWorkflowId, WORKFLOW_TASK_QUEUE, WORKFLOW_TYPES } from '../../sdk/names';
import { routingDocument } from '../../sdk/schemas';
import { classifierSpec } from '../support/classifierSpec';
import { modelPath, runCli, waitForStatus } from '../support/testEnv';
import { startStack, type Stack } from '../support/stack';

let gateway: { process: ManagedProcess; url: string };
let client: ModelshipClient;
let stack: Stack;
let store: string;

beforeAll(async () => {
  stack = await startStack('store-endpoint');
  ({ storeDir: store, gateway, client } = stack);
});

afterAll(() => stack?.stop());

const spec = classifierSpec;

const routing = (endpoint: string) => readDocument(new FsArtifactStore(store), storeKeys.routing(endpoint), routingDocument);

test('one deployment at a time: a second one queues, a refusing one is refused, a repeated one is the same', async () => {
  const ep = 'serial';
  expect((await (await client.deploy(spec(ep, 'v1'))).result()).outcome).toBe('promoted');
  const slow = await client.deploy(
    spec(ep, 'v2', { rollout: { strategy: 'canary', watch: { duration: 0 }, steps: [{ weight: 50, bake: '4s', analysis: false }] } }),
  );
  await waitForStatus(slow, (s) => s.rollout?.state === 'baking');

  const queued = await client.deploy(spec(ep, 'v3'));
  expect((await queued.status()).phase).toBe('Queued');
  expect((await client.deployment('deploy/serial/v3').status()).phase).toBe('Queued'); // as `modelship status serial/v3` asks
  const refused = client.deploy(spec(ep, 'v4', { whenBusy: 'refuse' }));
  await expect(refused).rejects.toThrow(DeploymentRefusedError);
  await expect(refused).rejects.toThrow(/endpoint serial is busy \(deploy\/serial\/v2 is Canary at 50%, 1 queued\) and the spec says whenBusy: refuse/);
  const again = await client.deploy(spec(ep, 'v2'));
  expect(again.workflowId).toBe(slow.workflowId);

  const live = await client.endpoint(ep).status();
  expect(live).toMatchObject({
    phase: 'Deploying',
    stable: { version: 'v1' },
    active: { version: 'v2', phase: 'Canary', weight: 50 },
    queue: [{ version: 'v3' }],
  });

  expect((await slow.result()).outcome).toBe('promoted');
  expect((await queued.result()).outcome).toBe('promoted'); // ran after v2, against v2 as stable
  const done = await client.endpoint(ep).status();
  expect(done).toMatchObject({ phase: 'Idle', stable: { version: 'v3' }, previous: { version: 'v2' }, queue: [] });
  expect(done.active).toBeUndefined();
  expect(done.history.map((e) => [e.kind, e.version, e.stableAfter])).toEqual([
    ['promoted', 'v1', 'v1'],
    ['promoted', 'v2', 'v2'],
    ['promoted', 'v3', 'v3'],
  ]);
});

test('modelship rollback returns the endpoint to the previous stable version, verified; status and history show it', async () => {
  const ep = 'serial';
  const rollback = await runCli(['rollback', ep, '--reason', 'latency alert', '--by', 'oncall'], { storeUri: store });
  expect(rollback.stderr).toBe('');
  expect(rollback.code).toBe(0);
  expect(rollback.stdout).toMatch(/rolled back from v3 to v2 by oncall: latency alert \(generation \d+, 1 replica\(s\), verified \{"v2":5\}, \d+ ms\)/);
  expect((await routing(ep))?.versions).toEqual([expect.objectContaining({ version: 'v2', weight: 100 })]);

  const status = await runCli(['status', ep], { storeUri: store });
  expect(status.stdout).toMatch(/endpoint serial: Idle\n {2}stable {5}v2 /);
  expect(status.stdout).toMatch(/previous {3}v3 /);
  const history = await runCli(['history', ep, '--json'], { storeUri: store });
  expect(JSON.parse(history.stdout).at(-1)).toMatchObject({ kind: 'rollback', version: 'v2', stableBefore: 'v3', stableAfter: 'v2' });

  // Rollback is refused while a deployment is in progress: abort is the way out of a rollout.
  const busy = await client.deploy(
    spec(ep, 'v5', { rollout: { strategy: 'canary', watch: { duration: 0 }, steps: [{ weight: 50, bake: '30s', analysis: false }] } }),
  );
  await waitForStatus(busy, (s) => s.rollout?.state === 'baking');
  await expect(client.endpoint(ep).rollback({ by: 'test' })).rejects.toThrow(ControlRejectedError);
  const refused = await runCli(['rollback', ep], { storeUri: store });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/deploy\/serial\/v5 is in progress; once its rollout has started, abort it instead \(`modelship abort serial`\)/);
  // Control commands accept the endpoint alone: they act on its deployment in progress.
  const abort = await runCli(['abort', ep, '--reason', 'not today'], { storeUri: store });
  expect(abort.stdout).toMatch(/aborting the rollout of v5: traffic returns to v2/);
  expect((await busy.result()).outcome).toBe('rolledBack');
  expect((await client.endpoint(ep).status()).stable?.version).toBe('v2');
});

test('the endpoint continues as new when its history grows, carrying its state', async () => {
  const ep = 'long-lived';
  await client.temporal.workflow.start(WORKFLOW_TYPES.endpoint, {
    workflowId: endpointWorkflowId(ep),
    taskQueue: WORKFLOW_TASK_QUEUE,
    args: [{ endpoint: ep, maxHistoryEvents: 10 }],
  });
  const first = await client.temporal.workflow.getHandle(endpointWorkflowId(ep)).describe();
  expect((await (await client.deploy(spec(ep, 'v1'))).result()).outcome).toBe('promoted');
  expect((await (await client.deploy(spec(ep, 'v2'))).result()).outcome).toBe('promoted');
  let state = await client.endpoint(ep).status();
  // Up to 60 s: a bound on a hang, not a speed check (a loaded machine can take seconds per workflow task).
  for (let i = 0; i < 600 && state.continuedAsNew < 2; i++) {
    await new Promise((r) => setTimeout(r, 100));
    state = await client.endpoint(ep).status();
  }
  expect(state.continuedAsNew).toBeGreaterThanOrEqual(2);
  expect(state).toMatchObject({ stable: { version: 'v2' }, previous: { version: 'v1' } });
  expect(state.history.map((e) => e.version)).toEqual(['v1', 'v2']);
  expect(state.versions?.map((v) => [v.version, v.served.length])).toEqual([
    ['v1', 1],
    ['v2', 1],
  ]); // the versions it keeps, carried over too
  const now = await client.temporal.workflow.getHandle(endpointWorkflowId(ep)).describe();
  expect(now.runId).not.toBe(first.runId);
  expect(now.status.name).toBe('RUNNING');
});

test('blue/green: a smoke preview, then all traffic at once with blue kept warm and green judged against it; an abort or a slower green switches back', async () => {
  const ep = 'bluegreen';
  expect((await (await client.deploy(spec(ep, 'blue'))).result()).outcome).toBe('promoted');
  const load = startTraffic({ gateway: gateway.url, endpoint: ep, requests: 10_000_000, concurrency: 2, durationMs: 300_000 });
  try {
    const rollout = {
      strategy: 'blueGreen',
      preview: { mode: 'smoke', requestsPerReplica: 5 },
      rollbackWindow: '3s',
      analysisInterval: '1s',
      analysis: { minSamples: 30 },
    } as const;
    const green = await client.deploy(spec(ep, 'green', { rollout }));
    await waitForStatus(green, (s) => s.rollout?.state === 'rollback-window');
    expect((await routing(ep))?.versions).toEqual([
      expect.objectContaining({ version: 'blue', weight: 0 }),
      expect.objectContaining({ version: 'green', weight: 100 }),
    ]);
    const result = await green.result();
    expect(result.outcome).toBe('promoted');
    expect(result.rollout?.steps.map((s) => [s.kind, s.status, s.verdict?.status])).toEqual([
      ['smoke', 'passed', undefined],
      ['switch', 'passed', 'pass'],
    ]);
    expect(result.rollout?.steps[0]?.note).toMatch(/5 smoke request\(s\) on 1 replica\(s\): \{"green":5\}/);
    expect((await routing(ep))?.versions).toEqual([expect.objectContaining({ version: 'green', weight: 100 })]);

    const teal = await client.deploy(spec(ep, 'teal', { rollout: { ...rollout, rollbackWindow: '60s', analysisInterval: '20s' } }));
    await waitForStatus(teal, (s) => s.rollout?.state === 'rollback-window');
    await teal.abort({ by: 'test', reason: 'error budget' });
    const back = await teal.result();
    expect(back.outcome).toBe('rolledBack');
    expect(back.rollout?.rollback).toMatchObject({ verified: { green: 5 } });
    expect((await routing(ep))?.versions).toEqual([expect.objectContaining({ version: 'green', weight: 100 })]);

    const slow = await (
      await client.deploy({
        ...spec(ep, 'slow', { rollout: { ...rollout, rollbackWindow: '20s', analysisInterval: '2s' } }),
        model: { source: pathToFileURL(modelPath('classifier_slow')).href, task: 'classifier' },
      })
    ).result();
    expect(slow.outcome).toBe('rolledBack');
    expect(slow.failure?.message).toMatch(/switch to 100% failed analysis: latency: /);
    expect(slow.rollout?.rollback?.verified).toEqual({ green: 5 });
  } finally {
    expect((await load.stop()).failures).toBe(0);
  }
});

test('a header-match phase sends only requests with the header to the canary', async () => {
  const ep = 'matched';
  expect((await (await client.deploy(spec(ep, 'v1'))).result()).outcome).toBe('promoted');
  const canary = await client.deploy(
    spec(ep, 'v2', {
      rollout: {
        strategy: 'canary',
        watch: { duration: 0 },
        headerMatch: { header: 'X-Canary', value: 'yes', bake: '20s', analysis: false },
        steps: [{ weight: 50, bake: '1s', analysis: false }],
      },
    }),
  );
  await waitForStatus(canary, (s) => s.rollout?.steps[0]?.status === 'running' && s.rollout.state === 'baking');
  const send = (headers?: Record<string, string>) =>
    startTraffic({ gateway: gateway.url, endpoint: ep, requests: 20, concurrency: 2, durationMs: 10_000, headers }).done;
  const [tagged, untagged] = await Promise.all([send({ 'x-canary': 'yes' }), send()]);
  expect(tagged.served).toEqual({ v2: 20 });
  expect(untagged.served).toEqual({ v1: 20 });
  await canary.abort({ by: 'test', reason: 'seen enough' });
  expect((await canary.result()).rollout?.steps.map((s) => [s.kind, s.status])).toEqual([
    ['match', 'failed'],
    ['canary', 'skipped'],
  ]);
});

test('deployment.events() streams stage and step events in order, then the outcome, from Updates the workflows answer', async () => {
  const ep = 'events';
  expect((await (await client.deploy(spec(ep, 'v1'))).result()).outcome).toBe('promoted');
  const deployment = await client.deploy(
    spec(ep, 'v2', { rollout: { strategy: 'canary', watch: { duration: 0 }, steps: [{ weight: 50, bake: '1s', analysis: false }] } }),
  );
  const events: DeploymentEvent[] = [];
  // A 10-minute pause between status reads if a watch failed: the stream ends in time only if the
  // deployment answers its watchStatus Updates as its status changes.
  for await (const event of deployment.events(600_000)) events.push(event);
  const stages = events.flatMap((e) => (e.type === 'stage' ? [`${e.stage}:${e.status}`] : []));
  for (const name of ['ingest', 'convert', 'validate', 'release']) expect(stages).toContain(`${name}:succeeded`);
  expect(stages.indexOf('ingest:succeeded')).toBeLessThan(stages.indexOf('validate:succeeded'));
  expect(stages.indexOf('validate:succeeded')).toBeLessThan(stages.indexOf('release:succeeded'));
  expect(events.flatMap((e) => (e.type === 'step' ? [e.step.status] : []))).toContain('passed');
  expect(events.at(-1)).toMatchObject({ type: 'finished', result: { outcome: 'promoted', version: 'v2' } });
  // The client waited on the server: watchStatus on the deployment, awaitDeployment (recorded) on the endpoint.
  expect(await updatesIn('deploy/events/v2')).toContain('watchStatus');
  expect(await updatesIn(endpointWorkflowId(ep))).toContain('awaitDeployment');
});

/** The names of the Updates a workflow accepted, from its history. */
async function updatesIn(workflowId: string): Promise<string[]> {
  const history = await client.temporal.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const name = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
    return name ? [name] : [];
  });
}
