/**
 * The endpoint's check that a custom deployment workflow it started runs at all: unless the run
 * completes its first workflow task within its start timeout (no worker registers its type, its code
 * fails at once), it is terminated with the reason, so the endpoint records it failed and admits the
 * next deployment, whether or not a client still waits on it. Asked of the server with the worker's
 * Temporal client (a long poll on the run's history, see `sdk/client/workflowStart.ts`).
 */
import { Context } from '@temporalio/activity';
import { terminateIfNotStarted, type CustomWorkflow } from '../../sdk/client/workflowStart';

export interface DeploymentStartInput extends CustomWorkflow {
  workflowId: string;
  runId: string;
}

/** The reason the run was terminated for not starting, or `null` once it has started (or ended otherwise). */
export async function refuseUnstartedDeployment(input: DeploymentStartInput): Promise<string | null> {
  const { workflowId, runId, ...workflow } = input;
  return (await terminateIfNotStarted(Context.current().client, workflowId, runId, workflow)) ?? null;
}
