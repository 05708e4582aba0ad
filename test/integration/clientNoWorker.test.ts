/**
 * With no worker on Modelship's workflow task queue (a fresh namespace where nothing polls), the
 * client never waits forever: a deployment is refused after its worker wait, naming the queue and
 * what to start, and nothing is uploaded; an endpoint's and a deployment's status fall back to what
 * the server records instead of waiting on a query no worker answers.
 */
import { readdir } from 'node:fs/promises';
import { Connection } from '@temporalio/client';
import { DeploymentRefusedError, DeploymentStatusUnavailableError, EndpointStateUnavailableError, ModelshipClient } from '../../sdk/client';
import { WORKFLOW_TASK_QUEUE, WORKFLOW_TYPES } from '../../sdk/names';
import { freshNamespace } from '../support/freshNamespace';
import { classifierSpec } from '../support/classifierSpec';
import { tempDir, testEnv } from '../support/testEnv';

let connection: Connection;
let client: ModelshipClient;
let storeDir: string;

beforeAll(async () => {
  connection = await Connection.connect({ address: testEnv('temporalAddress') });
  storeDir = await tempDir('no-worker-store');
  client = await ModelshipClient.connect({ address: testEnv('temporalAddress'), namespace: await freshNamespace(connection, 'no-worker'), store: storeDir });
});

afterAll(async () => {
  await client?.close();
  await connection?.close();
});

test('a deployment with no worker on the modelship queue is refused after the worker wait, before anything is uploaded', async () => {
  const deploying = client.deploy(classifierSpec('lonely', 'v1'), { workerWaitMs: 1500 });
  await expect(deploying).rejects.toThrow(DeploymentRefusedError);
  await expect(deploying).rejects.toThrow(/no worker polls task queue modelship .*npx modelship dev/);
  expect(await readdir(storeDir)).toEqual([]);
});

test('status() of an endpoint and of a deployment no worker runs falls back to what is recorded', async () => {
  await client.temporal.workflow.start(WORKFLOW_TYPES.endpoint, {
    taskQueue: WORKFLOW_TASK_QUEUE,
    workflowId: 'endpoint/lonely',
    args: [{ endpoint: 'lonely' }],
  });
  await client.temporal.workflow.start(WORKFLOW_TYPES.deployModel, { taskQueue: WORKFLOW_TASK_QUEUE, workflowId: 'deploy/other/v1', args: [] });
  await expect(client.endpoint('lonely').status()).rejects.toThrow(EndpointStateUnavailableError);
  await expect(client.endpoint('lonely').status()).rejects.toThrow(/no worker is polling the modelship task queue/);
  await expect(client.deployment('deploy/other/v1').status()).rejects.toThrow(DeploymentStatusUnavailableError);
});
