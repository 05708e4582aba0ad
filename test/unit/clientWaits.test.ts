/**
 * The client's waits, against a fake Temporal client: a queued deployment's run comes from the
 * endpoint's `awaitDeployment` Update, `follow()` reports each `watchStatus` answer and then the
 * result, `result()` waits until the endpoint has `recorded` the outcome, and events come from
 * the status diff. (The integration tests run the same against the real server.)
 */
import { ApplicationFailure, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { DeploymentHandle } from '../../sdk/client/deploymentHandle';
import { deploymentEvents, statusDiff, type DeploymentEvent } from '../../sdk/client/deploymentEvents';
import { awaitRun, lookUpRun } from '../../sdk/client/deploymentRun';
import { DeploymentNotFoundError, ModelshipClientError } from '../../sdk/errors';
import type { DeploymentResult, DeploymentStatus, EndpointState, StageState } from '../../sdk/schemas';

const WORKFLOW_ID = 'deploy/demo/v2';
const NAMES = ['ingest', 'convert', 'optimize', 'validate', 'benchmark', 'release'] as const;

function status(phase: DeploymentStatus['phase'], stages: Partial<Record<StageState['name'], StageState['status']>> = {}): DeploymentStatus {
  return {
    workflowId: WORKFLOW_ID,
    endpoint: 'demo',
    version: 'v2',
    phase,
    stages: NAMES.map((name) => ({ name, status: stages[name] ?? 'pending' })),
    candidates: [],
    benchmarks: [],
  };
}

const promoted: DeploymentResult = { ...status('Promoted', { ingest: 'succeeded', validate: 'succeeded', release: 'succeeded' }), outcome: 'promoted' };

function endpointState(partial: Partial<EndpointState> = {}): EndpointState {
  return { endpoint: 'demo', phase: 'Deploying', queue: [], generation: 1, history: [], continuedAsNew: 0, ...partial };
}

interface FakeWorkflow {
  query?: (name: string) => Promise<unknown>;
  update?: (name: string, arg: unknown) => Promise<unknown>;
  describe?: () => Promise<{ status: { name: string } }>;
  result?: () => Promise<unknown>;
}

/** A Temporal client whose workflows are the given fakes; `calls` records each update and query. */
function fakeClient(workflows: Record<string, FakeWorkflow>): { client: Client; calls: string[] } {
  const calls: string[] = [];
  const notFound = (id: string) => () => Promise.reject(new WorkflowNotFoundError('not found', id, undefined));
  const getHandle = (id: string) => {
    const fake = workflows[id];
    if (!fake) return { query: notFound(id), executeUpdate: notFound(id), describe: notFound(id), result: notFound(id) };
    return {
      workflowId: id,
      query: (def: { name: string }) => {
        calls.push(`${id} query ${def.name}`);
        return fake.query ? fake.query(def.name) : Promise.reject(new Error('no query'));
      },
      executeUpdate: (def: { name: string }, options: { args: unknown[] }) => {
        calls.push(`${id} update ${def.name} ${JSON.stringify(options.args[0])}`);
        return fake.update ? fake.update(def.name, options.args[0]) : Promise.reject(new WorkflowUpdateFailedError('no handler', undefined));
      },
      describe: () => (fake.describe ? fake.describe() : Promise.resolve({ status: { name: 'RUNNING' } })),
      result: () => (fake.result ? fake.result() : new Promise(() => undefined)),
    };
  };
  const client = {
    workflow: { getHandle },
    options: { namespace: 'default' },
    // A worker polls (a status read asks it before falling back to the recorded state).
    workflowService: { describeTaskQueue: () => Promise.resolve({ pollers: [{ lastAccessTime: { seconds: Date.now() / 1000 } }] }) },
    withAbortSignal: <R>(_signal: AbortSignal, fn: () => Promise<R>) => fn(),
    withDeadline: <R>(_deadline: number, fn: () => Promise<R>) => fn(),
  } as unknown as Client;
  return { client, calls };
}

/** A promise and the function that settles it. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('the run of a deployment admitted by its endpoint', () => {
  test('an endpoint too old to answer awaitDeployment is read until the deployment starts', async () => {
    let reads = 0;
    const { client } = fakeClient({
      'endpoint/demo': {
        // No update handler (the fake rejects the Update); the deployment starts on the third read.
        query: async () => {
          reads++;
          return reads < 3
            ? endpointState({ queue: [{ version: 'v2', workflowId: WORKFLOW_ID, submittedAt: 't' }] })
            : endpointState({ active: { version: 'v2', workflowId: WORKFLOW_ID, submittedAt: 't', runId: 'run-3' } });
        },
      },
    });
    await expect(awaitRun(client, 'demo', WORKFLOW_ID)).resolves.toEqual({ runId: 'run-3' });
    expect(reads).toBe(3);
  });

  test('awaitDeployment (until started) gives the run id', async () => {
    const { client, calls } = fakeClient({ 'endpoint/demo': { update: async () => ({ known: true, runId: 'run-2' }) } });
    await expect(awaitRun(client, 'demo', WORKFLOW_ID)).resolves.toEqual({ runId: 'run-2' });
    expect(calls).toEqual([`endpoint/demo update awaitDeployment {"workflowId":"${WORKFLOW_ID}","until":"started"}`]);
  });

  test('a deployment the endpoint does not know: its latest run', async () => {
    const { client } = fakeClient({ 'endpoint/demo': { update: async () => ({ known: false }) } });
    await expect(awaitRun(client, 'demo', WORKFLOW_ID)).resolves.toEqual({});
  });

  test('no endpoint workflow: a deployment started directly, its latest run', async () => {
    const { client } = fakeClient({});
    await expect(awaitRun(client, 'demo', WORKFLOW_ID)).resolves.toEqual({});
    await expect(lookUpRun(client, 'demo', WORKFLOW_ID)).resolves.toEqual({});
  });

  test("DeploymentNotStarted: DeploymentNotFoundError with the endpoint's reason", async () => {
    const failure = ApplicationFailure.create({
      message: 'the endpoint workflow was cancelled before this deployment started',
      type: 'DeploymentNotStarted',
      nonRetryable: true,
    });
    const { client } = fakeClient({ 'endpoint/demo': { update: () => Promise.reject(new WorkflowUpdateFailedError('update failed', failure)) } });
    const error = await awaitRun(client, 'demo', WORKFLOW_ID).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeploymentNotFoundError);
    expect(error).toBeInstanceOf(ModelshipClientError);
    expect((error as Error).message).toBe(`no deployment ${WORKFLOW_ID}: the endpoint workflow was cancelled before this deployment started`);
  });

  test('a closed endpoint: its state settles it (queued there: it will not start)', async () => {
    const queued = endpointState({ queue: [{ version: 'v2', workflowId: WORKFLOW_ID, submittedAt: '2026-01-01T00:00:00.000Z' }] });
    const closed: FakeWorkflow = {
      query: async () => queued,
      update: () => Promise.reject(new WorkflowNotFoundError('workflow execution already completed', 'endpoint/demo', undefined)),
      describe: async () => ({ status: { name: 'TERMINATED' } }),
    };
    const { client } = fakeClient({ 'endpoint/demo': closed });
    await expect(awaitRun(client, 'demo', WORKFLOW_ID)).rejects.toThrow(
      `no deployment ${WORKFLOW_ID}: it was queued at endpoint/demo, which is terminated: it will not start`,
    );
    const recorded = endpointState({
      history: [
        { at: '2026-01-01T00:00:00.000Z', kind: 'promoted', version: 'v2', workflowId: WORKFLOW_ID, runId: 'run-2', detail: '' },
      ] as EndpointState['history'],
    });
    const { client: after } = fakeClient({ 'endpoint/demo': { ...closed, query: async () => recorded } });
    await expect(awaitRun(after, 'demo', WORKFLOW_ID)).resolves.toEqual({ runId: 'run-2' });
  });
});

describe('DeploymentHandle', () => {
  test('follow(): queued, then each watchStatus answer, then the result once the endpoint has recorded it', async () => {
    const started = deferred<{ known: boolean; runId?: string }>();
    const finished = deferred<DeploymentResult>();
    const changes = [
      { revision: 1, status: status('Ingesting', { ingest: 'running' }) },
      { revision: 2, status: status('Validating', { ingest: 'succeeded', validate: 'running' }) },
    ];
    const endpoint: FakeWorkflow = {
      query: async () => endpointState({ queue: [{ version: 'v2', workflowId: WORKFLOW_ID, submittedAt: '2026-01-01T00:00:00.000Z' }] }),
      update: async (_name, arg) => ((arg as { until: string }).until === 'started' ? started.promise : { known: true, runId: 'run-2' }),
    };
    const deployment: FakeWorkflow = {
      update: async (_name, arg) => {
        const after = (arg as { afterRevision: number }).afterRevision;
        const change = changes.find((c) => c.revision > after);
        if (change) return change;
        if (after === 2) finished.resolve(promoted); // the deployment ends while this watch waits
        return new Promise(() => undefined);
      },
      result: () => finished.promise,
    };
    const { client, calls } = fakeClient({ 'endpoint/demo': endpoint, [WORKFLOW_ID]: deployment });
    const seen: string[] = [];
    const following = new DeploymentHandle(WORKFLOW_ID, client, { endpoint: 'demo' }).follow((s) => seen.push(s.phase));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['Queued']);
    started.resolve({ known: true, runId: 'run-2' });
    await expect(following).resolves.toEqual(promoted);
    expect(seen).toEqual(['Queued', 'Ingesting', 'Validating', 'Promoted']);
    expect(calls.filter((c) => c.includes('update'))).toEqual([
      `endpoint/demo update awaitDeployment {"workflowId":"${WORKFLOW_ID}","until":"started"}`,
      `${WORKFLOW_ID} update watchStatus {"afterRevision":-1}`,
      `${WORKFLOW_ID} update watchStatus {"afterRevision":1}`,
      `${WORKFLOW_ID} update watchStatus {"afterRevision":2}`,
      `endpoint/demo update awaitDeployment {"workflowId":"${WORKFLOW_ID}","until":"recorded"}`,
    ]);
  });

  test('a watch that fails while the deployment runs: the status is read once, then watched again', async () => {
    const finished = deferred<DeploymentResult>();
    let watches = 0;
    const deployment: FakeWorkflow = {
      update: async () => {
        watches++;
        if (watches === 1) throw new WorkflowUpdateFailedError('no handler', undefined);
        finished.resolve(promoted);
        return new Promise(() => undefined);
      },
      query: async () => status('Validating', { validate: 'running' }),
      result: () => finished.promise,
    };
    const { client } = fakeClient({ [WORKFLOW_ID]: deployment });
    const seen: string[] = [];
    await expect(new DeploymentHandle(WORKFLOW_ID, client, { runId: 'run-2' }).follow((s) => seen.push(s.phase), 10)).resolves.toEqual(promoted);
    expect(seen).toEqual(['Validating', 'Promoted']);
    expect(watches).toBe(2);
  });

  test('follow() stops when its signal aborts', async () => {
    const deployment: FakeWorkflow = { update: () => new Promise(() => undefined), result: () => new Promise(() => undefined) };
    const { client } = fakeClient({ [WORKFLOW_ID]: deployment });
    const stop = new AbortController();
    const following = new DeploymentHandle(WORKFLOW_ID, client, { runId: 'run-2' }).follow(() => undefined, 10, stop.signal);
    stop.abort(new Error('enough'));
    await expect(following).rejects.toThrow('enough');
  });
});

describe('deployment events', () => {
  test('the status diff emits each change once', () => {
    const diff = statusDiff(WORKFLOW_ID);
    expect(diff(status('Queued'))).toEqual([{ type: 'queued', workflowId: WORKFLOW_ID, position: 0 }]);
    expect(diff(status('Ingesting', { ingest: 'running' }))).toEqual([{ type: 'stage', stage: 'ingest', status: 'running' }]);
    expect(diff(status('Ingesting', { ingest: 'running' }))).toEqual([]);
    expect(diff(status('Validating', { ingest: 'succeeded' })).map((e) => e.type === 'stage' && `${e.stage} ${e.status}`)).toEqual(['ingest succeeded']);
  });

  test('a stage waiting for retry is an event, once; the decision on it another', () => {
    const diff = statusDiff(WORKFLOW_ID);
    const failure = { type: 'InfrastructureError' as const, stage: 'ingest', message: 'the store is down' };
    const waiting = { ...status('WaitingForRetry', { ingest: 'failed' }), waiting: { stage: 'ingest', failure, since: 'T0', until: 'T1' } };
    expect(diff(waiting)).toEqual([
      { type: 'stage', stage: 'ingest', status: 'failed' },
      { type: 'waiting', stage: 'ingest', failure, since: 'T0', until: 'T1' },
    ]);
    expect(diff(waiting)).toEqual([]);
    const decisions = [{ action: 'retry' as const, stage: 'ingest', by: 'oncall', at: 'T2' }];
    expect(diff({ ...status('Ingesting', { ingest: 'running' }), decisions })).toEqual([
      { type: 'stage', stage: 'ingest', status: 'running' },
      { type: 'retried', stage: 'ingest', by: 'oncall', at: 'T2' },
    ]);
  });

  test('the stream yields the events as follow reports statuses, then finished; stopping early stops follow', async () => {
    const events: DeploymentEvent[] = [];
    for await (const event of deploymentEvents(WORKFLOW_ID, async (onStatus) => {
      onStatus(status('Queued'));
      await new Promise((resolve) => setTimeout(resolve, 5));
      onStatus(promoted);
      return promoted;
    })) {
      events.push(event);
    }
    expect(events.map((e) => e.type)).toEqual(['queued', 'stage', 'stage', 'stage', 'finished']);

    let stopped: unknown;
    const stream = deploymentEvents(WORKFLOW_ID, (onStatus, signal) => {
      onStatus(status('Queued'));
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject((stopped = signal.reason))));
    });
    for await (const event of stream) {
      expect(event.type).toBe('queued');
      break;
    }
    expect(stopped).toBeDefined();
  });
});
