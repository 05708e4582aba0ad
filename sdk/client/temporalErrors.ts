/**
 * How Temporal's errors read as Modelship's: a deployment workflow that ended without a result
 * (terminated, cancelled, timed out, failed) is a {@link DeploymentFailedError} or
 * {@link DeploymentTerminatedError}; a server that cannot be reached is a {@link TemporalConnectionError}.
 * Everything else passes through as it is.
 */
import { status as grpcStatus } from '@grpc/grpc-js';
import { isGrpcServiceError, ServiceError, WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { DeploymentFailedError, DeploymentTerminatedError, ModelshipError, TemporalConnectionError } from '../errors';

/** What the error was about: the workflow the call was on, the server it went to. */
export interface ErrorContext {
  workflowId: string;
  address: string;
}

/** The message Temporal gives a termination without a reason. */
const DEFAULT_TERMINATION = 'Workflow execution terminated';

/** `error` as a {@link ModelshipError} where it means one, else `error` itself. */
export function asModelshipError(error: unknown, context: ErrorContext): unknown {
  if (error instanceof ModelshipError) return error;
  if (error instanceof WorkflowFailedError) return workflowEnded(error, context.workflowId);
  const code = error instanceof ServiceError && isGrpcServiceError(error.cause) ? error.cause.code : isGrpcServiceError(error) ? error.code : undefined;
  if (code === grpcStatus.UNAVAILABLE) return new TemporalConnectionError(context.address, firstLine((error as Error).message));
  return error;
}

/** A deployment workflow that ended without returning a result. */
function workflowEnded(error: WorkflowFailedError, workflowId: string): DeploymentFailedError {
  const cause = error.cause;
  if (cause instanceof TerminatedFailure) {
    return new DeploymentTerminatedError(workflowId, 'terminated', cause.message && cause.message !== DEFAULT_TERMINATION ? cause.message : undefined);
  }
  if (cause instanceof CancelledFailure) return new DeploymentTerminatedError(workflowId, 'cancelled', undefined);
  if (cause instanceof TimeoutFailure) return new DeploymentFailedError(workflowId, 'its workflow timed out');
  return new DeploymentFailedError(workflowId, firstLine(cause?.message || error.message));
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]?.trim() ?? '';
}
