/**
 * How workflow code turns a failed activity (or child, or timeout) into a typed deployment failure.
 * Deterministic: `@temporalio/workflow` and pure `sdk/` modules only.
 */
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { isFailureType, isStageName } from '../sdk/constants';
import type { DeploymentFailure } from '../sdk/schemas';

/** Maps an activity failure to a typed reason: the application failure's type, or infrastructure. */
export function toDeploymentFailure(stage: string, error: unknown): DeploymentFailure {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && isFailureType(cause.type)) {
    return { type: cause.type, stage, message: cause.message };
  }
  if (cause instanceof ApplicationFailure && cause.nonRetryable && !isStageName(stage)) {
    return { type: 'CustomCheckFailed', stage, message: `${cause.type ?? 'Error'}: ${cause.message}` };
  }
  if (cause instanceof TimeoutFailure) {
    const queue = error instanceof ActivityFailure ? ` (activity ${error.activityType})` : '';
    const message =
      cause.timeoutType === 'SCHEDULE_TO_START'
        ? `no worker picked up the ${stage} stage in time${queue}: is a worker polling its task queue (modelship-cpu, or modelship-gpu for GPU targets)?`
        : `the ${stage} stage timed out (${cause.timeoutType ?? 'unknown'} timeout)`;
    return { type: 'InfrastructureError', stage, message };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return { type: 'InfrastructureError', stage, message };
}

/**
 * Whether `error` is an activity that failed after its retries for a retryable reason — the store
 * down, no worker picking it up in time, a tool that crashed — rather than a refused model, a
 * non-retryable error or a cancellation. Such a stage may wait for an operator's retry.
 */
export function isInfrastructureFailure(error: unknown): boolean {
  if (!(error instanceof ActivityFailure)) return false;
  const cause = error.cause;
  if (cause instanceof TimeoutFailure) return true;
  return cause instanceof ApplicationFailure && !cause.nonRetryable && !isFailureType(cause.type);
}
