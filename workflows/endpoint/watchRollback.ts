/**
 * An operator's rollback while the endpoint's deployment is in its post-promotion watch: the
 * endpoint tells the deployment (the `endWatch` signal), whose watch fails with the operator's
 * reason and returns traffic to the previous version by the rollout's one way back
 * (`returnToStable`); the deployment ends `rolledBack` and the endpoint records it as it records any
 * deployment's end. The Update answers once that is recorded. Deterministic.
 */
import { condition, getExternalWorkflowHandle } from '@temporalio/workflow';
import { endWatchSignal, type RollbackRequest } from '../../sdk/definitions';
import type { AdmittedDeployment } from '../../sdk/schemas';
import type { EndpointContext } from './endpointContext';

/** The running deployment, if it is in its watch (an operator's rollback then ends the watch). */
export function watchingDeployment(ctx: EndpointContext): AdmittedDeployment | undefined {
  const active = ctx.state.active;
  return active?.watch?.phase === 'watching' ? active : undefined;
}

/** Refuses (throws why) a rollback during the watch that asks for anything but the version the watch returns to. */
export function checkWatchRollback(ctx: EndpointContext, watching: AdmittedDeployment, request: RollbackRequest): void {
  const previous = watching.watch?.previousVersion;
  if (request.to !== undefined && request.to !== previous) {
    throw new Error(
      `${watching.workflowId} is in its post-promotion watch: a rollback now returns ${ctx.name} to ${previous ?? 'the previous version'}; roll back to ${request.to} once the deployment has ended`,
    );
  }
}

/** How the deployment whose watch an operator ended came out: its recorded outcome (`rolledBack` unless the watch had already passed). */
export interface WatchEnded {
  /** The deployment rolled back: the rollback is done. */
  rolledBack: boolean;
  /** What the Update answers. */
  message: string;
}

/**
 * Ends the watch of `watching` with the operator's reason, and answers once the deployment's end is
 * recorded. When the watch had passed before the signal arrived the deployment ends `promoted` and
 * nothing rolled back: the caller then rolls back as after any promotion.
 */
export async function rollbackDuringWatch(ctx: EndpointContext, watching: AdmittedDeployment, request: RollbackRequest): Promise<WatchEnded> {
  const handle = getExternalWorkflowHandle(watching.workflowId, watching.runId);
  await handle.signal(endWatchSignal, { by: request.by, reason: request.reason ?? 'no reason given' });
  await condition(() => ctx.state.active?.workflowId !== watching.workflowId);
  const recorded = [...ctx.state.history].reverse().find((e) => e.workflowId === watching.workflowId);
  return {
    rolledBack: recorded?.kind === 'rolledBack',
    message: `ended the watch of ${watching.version}${request.by ? ` (by ${request.by})` : ''}: ${recorded ? `${recorded.kind}: ${recorded.detail}` : 'the deployment ended'}`,
  };
}
