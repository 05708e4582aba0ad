/**
 * The client fails fast instead of hanging, over the real stack: a custom workflow whose task queue
 * has no worker is refused at once; one that never completes its first workflow task is terminated
 * and refused, and its endpoint admits the next deployment; `cancel()` and `terminate()` end a
 * deployment and its result says how; after `close()` every handle fails with `ClientClosedError`
 * (and the process does not crash); an unreachable server is an error naming its address.
 */
import type { Client } from '@temporalio/client';
import { freePort } from '../../cli/dev/ports';
import {
  ClientClosedError,
  ControlRejectedError,
  DeploymentRefusedError,
  DeploymentTerminatedError,
  EndpointNotFoundError,
  ModelshipClient,
  ModelshipError,
  TemporalConnectionError,
} from '../../sdk/client';
import { workflowPollers } from '../../sdk/client/workerPresence';
import type { PipelineSpecInput } from '../../sdk/schemas';
import { startStack, type Stack } from '../support/stack';
import { classifierSpec } from '../support/classifierSpec';
import { testEnv, waitForStatus } from '../support/testEnv';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack('store-fail-fast');
});

afterAll(() => stack?.stop());

const spec = classifierSpec;

const slowCanary: Partial<PipelineSpecInput> = {
  rollout: { strategy: 'canary', watch: { duration: 0 }, steps: [{ weight: 50, bake: '10m', analysis: false }] },
};

/** A worker that takes workflow tasks from `taskQueue` and never completes them, until `stop` aborts. */
async function stuckPoller(client: Client, taskQueue: string, stop: AbortSignal): Promise<void> {
  const poll = () => client.workflowService.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, identity: 'stuck' });
  const polling = (async () => {
    // A long poll needs a deadline; each one holds the task it gets, never completing it.
    while (!stop.aborted) await client.withDeadline(Date.now() + 60_000, () => client.withAbortSignal(stop, poll)).catch(() => undefined);
  })();
  polling.catch(() => undefined);
  while ((await workflowPollers(client, taskQueue)) === 0) await new Promise((r) => setTimeout(r, 100));
}

test('a custom workflow whose task queue has no worker is refused at once, naming the queue and the workflow type', async () => {
  const deploying = stack.client.deploy(spec('no-worker', 'v1'), { workflowType: 'fairDeploy', taskQueue: 'fair-models' });
  await expect(deploying).rejects.toThrow(DeploymentRefusedError);
  await expect(deploying).rejects.toThrow(ModelshipError);
  await expect(deploying).rejects.toThrow(/no worker polls task queue fair-models, so workflow fairDeploy cannot run there/);
  // Refused before anything was submitted: the endpoint was never started.
  await expect(stack.client.endpoint('no-worker').status()).rejects.toThrow(EndpointNotFoundError);
});

test('a custom workflow no worker registers is terminated and refused, and its endpoint admits the next deployment', async () => {
  const ep = 'unregistered';
  const deploying = stack.client.deploy(spec(ep, 'v1'), { workflowType: 'notRegisteredAnywhere' });
  await expect(deploying).rejects.toThrow(DeploymentRefusedError);
  await expect(deploying).rejects.toThrow(
    /workflow notRegisteredAnywhere on task queue modelship did not start: its first workflow task failed: .*notRegisteredAnywhere/,
  );
  await expect(stack.client.deployment(`deploy/${ep}/v1`).status()).rejects.toThrow(DeploymentTerminatedError);

  expect((await (await stack.client.deploy(spec(ep, 'v2'))).result()).outcome).toBe('promoted');
  const state = await stack.client.endpoint(ep).status();
  expect(state.stable?.version).toBe('v2');
  expect(state.history.map((e) => [e.version, e.kind])).toEqual([
    ['v1', 'failed'],
    ['v2', 'promoted'],
  ]);
});

test('a custom workflow whose first workflow task is never completed is refused after startTimeoutMs', async () => {
  const stop = new AbortController();
  await stuckPoller(stack.client.temporal, 'stuck-models', stop.signal);
  try {
    const deploying = stack.client.deploy(spec('stuck', 'v1'), { workflowType: 'stuckDeploy', taskQueue: 'stuck-models', startTimeoutMs: 2000 });
    await expect(deploying).rejects.toThrow(
      /workflow stuckDeploy on task queue stuck-models did not start: no worker completed its first workflow task within 2\.0 s/,
    );
    const ended = stack.client.deployment('deploy/stuck/v1').result();
    await expect(ended).rejects.toThrow(DeploymentTerminatedError);
    await expect(ended).rejects.toMatchObject({ how: 'terminated', reason: expect.stringContaining('did not start') });
  } finally {
    stop.abort();
  }
});

test('a queued custom workflow that never starts is ended by its endpoint, though the client that submitted it has closed', async () => {
  const ep = 'self-enforced';
  expect((await (await stack.client.deploy(spec(ep, 'v1'))).result()).outcome).toBe('promoted');
  const busy = await stack.client.deploy(spec(ep, 'v2', slowCanary));
  await waitForStatus(busy, (s) => s.rollout?.state === 'baking');
  const submitter = await ModelshipClient.connect({ address: testEnv('temporalAddress'), store: stack.storeDir });
  await submitter.deploy(spec(ep, 'v3'), { workflowType: 'notRegisteredAnywhere', startTimeoutMs: 2000 });
  await submitter.close();
  const next = await stack.client.deploy(spec(ep, 'v4'));
  await busy.terminate('make way for the queue');

  // Nobody asks about v3: the endpoint ends it by itself and runs v4.
  expect((await next.result()).outcome).toBe('promoted');
  const { history } = await stack.client.endpoint(ep).status();
  expect(history.map((e) => [e.version, e.kind])).toEqual([
    ['v1', 'promoted'],
    ['v2', 'failed'],
    ['v3', 'failed'],
    ['v4', 'promoted'],
  ]);
  expect(history[2]?.detail).toMatch(/workflow notRegisteredAnywhere on task queue modelship did not start: its first workflow task failed/);
  await expect(stack.client.deployment('deploy/self-enforced/v3').result()).rejects.toMatchObject({ how: 'terminated' });
});

test('a queued custom workflow that never starts is refused by the first call on its handle, events() included', async () => {
  const ep = 'queued-events';
  expect((await (await stack.client.deploy(spec(ep, 'v0'))).result()).outcome).toBe('promoted');
  const busy = await stack.client.deploy(spec(ep, 'v1', slowCanary));
  await waitForStatus(busy, (s) => s.rollout?.state === 'baking');
  const queued = await stack.client.deploy(spec(ep, 'v2'), { workflowType: 'notRegisteredAnywhere', startTimeoutMs: 20_000 });
  await busy.terminate('make way for the queue');
  // Its run has started when the handle is first used: the handle finds the run, and checks it then.
  const endpoint = stack.client.endpoint(ep);
  while ((await endpoint.status()).active?.runId === undefined) await new Promise((r) => setTimeout(r, 100));
  const events = async (): Promise<unknown[]> => {
    const seen: unknown[] = [];
    for await (const event of queued.events()) seen.push(event);
    return seen;
  };
  await expect(events()).rejects.toThrow(/deploy\/queued-events\/v2 refused: workflow notRegisteredAnywhere on task queue modelship did not start/);
});

test('terminate() and cancel() end a deployment; its result says how, and the endpoint moves on', async () => {
  const ep = 'ended';
  expect((await (await stack.client.deploy(spec(ep, 'v1'))).result()).outcome).toBe('promoted');

  const terminated = await stack.client.deploy(spec(ep, 'v2', slowCanary));
  await waitForStatus(terminated, (s) => s.rollout?.state === 'baking');
  const queued = await stack.client.deploy(spec(ep, 'v3', slowCanary));
  await expect(queued.cancel()).rejects.toThrow(ControlRejectedError);
  await terminated.terminate('the operator stopped it');
  await expect(terminated.result()).rejects.toMatchObject({ name: 'DeploymentTerminatedError', how: 'terminated', reason: 'the operator stopped it' });

  // The queued one starts once the endpoint has recorded the terminated one; cancelled, it rolls back.
  await waitForStatus(queued, (s) => s.rollout?.state === 'baking');
  await queued.cancel();
  const outcome = await queued.result().then(
    (result) => result.outcome,
    (error: unknown) => (error instanceof DeploymentTerminatedError ? error.how : error),
  );
  expect(outcome).toBe('rolledBack');
  await expect(queued.terminate('too late')).rejects.toThrow(/terminate refused by deploy\/ended\/v3: it has already ended/);
  expect((await stack.client.endpoint(ep).status()).stable?.version).toBe('v1');
});

test('after close(), waiting and new calls fail with ClientClosedError, and the process lives on', async () => {
  const client = await ModelshipClient.connect({ address: testEnv('temporalAddress') });
  // A run no worker will ever pick up: its status query waits.
  await client.temporal.workflow.start('neverRuns', { taskQueue: 'nobody-polls', workflowId: 'deploy/closed/v1' });
  const deployment = client.deployment('deploy/closed/v1');
  const waiting = deployment.status();
  await client.close();
  await expect(waiting).rejects.toThrow(ClientClosedError);
  await expect(deployment.status()).rejects.toThrow(/the Modelship client is closed/);
  await expect(client.endpoint('closed').status()).rejects.toThrow(ClientClosedError);
  await expect(client.deploy(spec('closed', 'v2'))).rejects.toThrow(ClientClosedError);
  await stack.client.temporal.workflow.getHandle('deploy/closed/v1').terminate('test cleanup');
});

test('a server that does not answer is an error naming its address and what to do', async () => {
  const address = `127.0.0.1:${await freePort()}`;
  const connecting = ModelshipClient.connect({ address, connectTimeoutMs: 500 });
  await expect(connecting).rejects.toThrow(TemporalConnectionError);
  await expect(connecting).rejects.toThrow(`could not reach Temporal at ${address}`);
  await expect(connecting).rejects.toThrow(/npx modelship dev/);
});
