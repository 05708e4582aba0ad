/**
 * One error hierarchy: every error the client throws is a ModelshipError (the old names still
 * catch theirs), Temporal's errors read as Modelship's, and a closed session refuses calls.
 */
import { status } from '@grpc/grpc-js';
import { ServiceError, WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, RetryState, TerminatedFailure, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { ClientSession } from '../../sdk/client/clientSession';
import { asModelshipError } from '../../sdk/client/temporalErrors';
import * as main from '../../sdk';
import * as testingEntry from '../../testing';
import * as workerEntry from '../../workers';
import * as activitiesEntry from '../../activities';
import * as workflowsEntry from '../../workflows/api';
import * as schemasEntry from '../../sdk/entries/schemas';
import * as clientEntry from '../../sdk/entries/client';
import * as errors from '../../sdk/errors';
import { LoopbackOnlyError } from '../../cli/trafficGenerator';
import { NoExecutionProviderError } from '../../runtime/executionProviders';
import { ModelLoadError } from '../../runtime/modelRuntime';
import { InvalidKeyError } from '../../store/keys';
import { ArtifactCorruptError, ArtifactMissingError } from '../../store/models';
import { SourceUploadRefusedError } from '../../sdk/uploadableFile';
import {
  ClientClosedError,
  DeploymentFailedError,
  DeploymentNotFoundError,
  DeploymentTerminatedError,
  EndpointNotFoundError,
  InvalidSpecError,
  ModelshipClientError,
  ModelshipError,
  NotFoundError,
  SetupError,
  TemporalConnectionError,
  ToolchainSetupError,
} from '../../sdk/errors';

const context = { workflowId: 'deploy/demo/v2', address: '127.0.0.1:7233' };
const failed = (cause: Error) => new WorkflowFailedError('Workflow execution failed', cause, RetryState.NON_RETRYABLE_FAILURE);

test('every error is a ModelshipError; the old names catch what they caught', () => {
  expect(new InvalidSpecError('pipeline.yaml', [])).toBeInstanceOf(ModelshipError);
  expect(new EndpointNotFoundError('demo')).toBeInstanceOf(NotFoundError);
  expect(new DeploymentNotFoundError('deploy/demo/v2')).toBeInstanceOf(ModelshipClientError);
  expect(new DeploymentTerminatedError('deploy/demo/v2', 'cancelled', undefined)).toBeInstanceOf(DeploymentFailedError);
  expect(new TemporalConnectionError('10.0.0.1:7233', 'Failed to connect before the deadline').message).toBe(
    'could not reach Temporal at 10.0.0.1:7233 (Failed to connect before the deadline): start a local one with `npx modelship dev`, or point to yours with TEMPORAL_ADDRESS (or the `address` connection option)',
  );
});

test('the main entry exports what the docs import from it', () => {
  for (const name of ['ModelshipError', 'DeploymentRefusedError', 'EndpointNotFoundError', 'EndpointHandle', 'DeploymentHandle', 'ClientClosedError']) {
    expect(main).toHaveProperty(name);
  }
});

test('a workflow that ended without a result is DeploymentTerminatedError or DeploymentFailedError, saying how', () => {
  expect(asModelshipError(failed(new TerminatedFailure('operator cleanup')), context)).toMatchObject({
    name: 'DeploymentTerminatedError',
    how: 'terminated',
    reason: 'operator cleanup',
    message: 'deployment deploy/demo/v2 was terminated (operator cleanup) before it returned a result',
  });
  expect(asModelshipError(failed(new TerminatedFailure('Workflow execution terminated')), context)).toMatchObject({ how: 'terminated', reason: 'terminated' });
  expect(asModelshipError(failed(new CancelledFailure('cancelled')), context)).toMatchObject({ name: 'DeploymentTerminatedError', how: 'cancelled' });
  const timedOut = asModelshipError(failed(new TimeoutFailure('timed out', undefined, TimeoutType.START_TO_CLOSE)), context);
  expect(timedOut).toBeInstanceOf(DeploymentFailedError);
  expect(timedOut).not.toBeInstanceOf(DeploymentTerminatedError);
  expect(asModelshipError(failed(ApplicationFailure.nonRetryable('bad input\nstack')), context)).toMatchObject({ reason: 'bad input' });
});

test('an unreachable server is a TemporalConnectionError naming it; other errors pass through', () => {
  const unavailable = new ServiceError('Failed to query workflow', {
    cause: Object.assign(new Error('14 UNAVAILABLE: No connection'), { code: status.UNAVAILABLE, details: 'No connection', metadata: {} }),
  });
  expect(asModelshipError(unavailable, context)).toMatchObject({ name: 'TemporalConnectionError', address: '127.0.0.1:7233' });
  const other = new Error('something else');
  expect(asModelshipError(other, context)).toBe(other);
});

test('a closed session refuses calls, and stops the ones waiting, with ClientClosedError', async () => {
  const client = { withAbortSignal: (_signal: AbortSignal, fn: () => Promise<unknown>) => fn() } as unknown as Client;
  const session = new ClientSession(client, '127.0.0.1:7233');
  await expect(session.call('status', context.workflowId, async () => 'live')).resolves.toBe('live');
  const waiting = session.call('result', context.workflowId, () => new Promise(() => undefined));
  session.close();
  await expect(waiting).rejects.toThrow(ClientClosedError);
  await expect(session.call('status', context.workflowId, async () => 'live')).rejects.toThrow('the Modelship client is closed: status was not done');
});

test('every entry exports the whole hierarchy, and every error class it exports is a ModelshipError', () => {
  const entries = {
    modelship: main,
    'modelship/client': clientEntry,
    'modelship/schemas': schemasEntry,
    'modelship/workflows': workflowsEntry,
    'modelship/activities': activitiesEntry,
    'modelship/worker': workerEntry,
    'modelship/testing': testingEntry,
  };
  const errorClasses = new Set<unknown>();
  for (const [entry, exports] of Object.entries(entries)) {
    for (const name of ['ModelshipError', 'SetupError', 'PortInUseError', 'ToolchainSetupError', 'TemporalConnectionError']) {
      expect([entry, (exports as Record<string, unknown>)[name]]).toEqual([entry, (errors as Record<string, unknown>)[name]]);
    }
    for (const [name, value] of Object.entries(exports))
      if (/Error$/.test(name) && typeof value === 'function' && value !== ModelshipError) errorClasses.add(value);
  }
  for (const Class of [
    ...errorClasses,
    LoopbackOnlyError,
    ArtifactMissingError,
    ArtifactCorruptError,
    InvalidKeyError,
    NoExecutionProviderError,
    ModelLoadError,
    SourceUploadRefusedError,
  ]) {
    expect([(Class as { name: string }).name, (Class as { prototype: unknown }).prototype instanceof ModelshipError]).toEqual([
      (Class as { name: string }).name,
      true,
    ]);
  }
  const toolchain = new ToolchainSetupError('pip install failed', '/cache/toolchain-x');
  expect(toolchain).toBeInstanceOf(SetupError);
  expect(toolchain.hint).toMatch(/`npx modelship setup` again/);
});
