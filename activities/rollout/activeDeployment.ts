/**
 * Whether a deployment is the one its endpoint holds in progress, asked of the endpoint workflow (the
 * authority on what serves) with the worker's Temporal client. A deployment asks before its first
 * routing change: a run reset after its endpoint recorded it and moved on must not change routing.
 * The answer is decided here, not in the workflow, so replaying the workflow follows the recorded answer.
 */
import { Context } from '@temporalio/activity';
import { endpointStatusQuery } from '../../sdk/definitions';
import { endpointWorkflowId } from '../../sdk/names';

/** What the endpoint holds: whether `workflowId` is its deployment in progress, and which one is (if any). */
export interface ActiveDeploymentCheck {
  active: boolean;
  inProgress: string | null;
}

export async function checkActiveDeployment(input: { endpoint: string; workflowId: string }): Promise<ActiveDeploymentCheck> {
  const state = await Context.current().client.workflow.getHandle(endpointWorkflowId(input.endpoint)).query(endpointStatusQuery);
  const inProgress = state.active?.workflowId ?? null;
  return { active: inProgress === input.workflowId, inProgress };
}
