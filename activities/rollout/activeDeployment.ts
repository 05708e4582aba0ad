/**
 * Which deployment an endpoint holds as the one in progress, asked of its endpoint workflow (the
 * authority on what serves) with the worker's Temporal client. A deployment asks before its first
 * routing change: a run reset after its endpoint recorded it and moved on must not change routing.
 */
import { Context } from '@temporalio/activity';
import { endpointStatusQuery } from '../../sdk/definitions';
import { endpointWorkflowId } from '../../sdk/names';

/** The endpoint's active deployment (workflow id and run id), or `null` when none is in progress. */
export async function activeDeployment(input: { endpoint: string }): Promise<{ workflowId: string; runId?: string } | null> {
  const state = await Context.current().client.workflow.getHandle(endpointWorkflowId(input.endpoint)).query(endpointStatusQuery);
  const active = state.active;
  return active ? { workflowId: active.workflowId, ...(active.runId ? { runId: active.runId } : {}) } : null;
}
