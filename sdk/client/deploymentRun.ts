/**
 * Where a deployment admitted by an endpoint runs, asked of the endpoint workflow (the authority on
 * what it admitted): once (a query), or waiting until the endpoint answers (the `awaitDeployment`
 * Update: until the deployment has `started`, or until its outcome is `recorded`). Nothing here polls.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { awaitDeploymentUpdate } from '../definitions';
import { currentEndpointState } from './recordedState';
import { DeploymentNotFoundError } from '../errors';
import { endpointWorkflowId } from '../names';
import type { EndpointState } from '../schemas';
import { updateFailureReason, updateFailureType } from './updateRejection';

/**
 * A deployment's run as its endpoint knows it: `runId` once it has started; no `runId` when the
 * endpoint does not know it (started directly, or older than its history): its latest run then.
 */
export interface DeploymentRun {
  runId?: string;
}

/** How often a client reads the state of an endpoint too old to answer `awaitDeployment`. */
const OLD_ENDPOINT_POLL_MS = 1000;

/** The failure type of `awaitDeployment` when a queued deployment will not start. */
const NOT_STARTED = 'DeploymentNotStarted';

/** The deployment's run as the endpoint knows it now, or `'queued'` while it waits its turn. */
export async function lookUpRun(client: Client, endpoint: string, workflowId: string): Promise<DeploymentRun | 'queued'> {
  const handle = client.workflow.getHandle(endpointWorkflowId(endpoint));
  let state: EndpointState;
  try {
    state = await currentEndpointState(client, endpoint);
  } catch (error) {
    // No endpoint workflow: a deployment started directly (or not at all); its latest run.
    if (error instanceof WorkflowNotFoundError) return {};
    throw error;
  }
  const queued = state.queue.some((d) => d.workflowId === workflowId);
  const runId =
    state.active?.workflowId === workflowId ? state.active.runId : [...state.history].reverse().find((e) => e.workflowId === workflowId && e.runId)?.runId;
  if (runId && !queued) return { runId };
  // Neither queued nor known to the endpoint (e.g. older than its history): the latest run.
  if (!queued && state.active?.workflowId !== workflowId) return {};
  const endpointStatus = (await handle.describe()).status.name;
  if (endpointStatus !== 'RUNNING') {
    throw new DeploymentNotFoundError(
      workflowId,
      `it was queued at ${endpointWorkflowId(endpoint)}, which is ${endpointStatus.toLowerCase()}: it will not start`,
    );
  }
  return 'queued';
}

/**
 * The deployment's run once it has started: the endpoint answers `awaitDeployment` when it starts
 * the deployment (at once if it has). Throws {@link DeploymentNotFoundError} when it will not start.
 */
export async function awaitRun(client: Client, endpoint: string, workflowId: string): Promise<DeploymentRun> {
  try {
    const { known, runId } = await client.workflow
      .getHandle(endpointWorkflowId(endpoint))
      .executeUpdate(awaitDeploymentUpdate, { args: [{ workflowId, until: 'started' }] });
    return known && runId ? { runId } : {};
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && updateFailureType(error) === NOT_STARTED)
      throw new DeploymentNotFoundError(workflowId, updateFailureReason(error));
    // No endpoint workflow (a deployment started directly), or it has closed, or it could not run the
    // Update: what its state says settles it.
    if (!(error instanceof WorkflowNotFoundError || error instanceof WorkflowUpdateFailedError)) throw error;
    // Still queued at an endpoint that cannot answer the Update (its worker predates it, during a rolling
    // upgrade): the one place the client still reads the state until the deployment starts.
    for (;;) {
      const run = await lookUpRun(client, endpoint, workflowId);
      if (run !== 'queued') return run;
      await sleep(OLD_ENDPOINT_POLL_MS);
    }
  }
}

/**
 * Once the deployment has ended, waits (at most `timeoutMs`) until its endpoint has recorded the
 * outcome, so that the endpoint's state — stable version, history, `rollback` — reflects it.
 */
export async function awaitRecorded(client: Client, endpoint: string, workflowId: string, timeoutMs = 30_000): Promise<void> {
  const handle = client.workflow.getHandle(endpointWorkflowId(endpoint));
  try {
    await client.withDeadline(Date.now() + timeoutMs, () => handle.executeUpdate(awaitDeploymentUpdate, { args: [{ workflowId, until: 'recorded' }] }));
  } catch {
    // No endpoint workflow (or it closed), it could not run the Update, or it did not answer in time: nothing to wait for.
  }
}

/**
 * The run a reset of `runId` started (the UI's Reset, `temporal workflow reset`: the server ends the
 * run and goes on in a new one), following resets of resets; `undefined` when it was not reset.
 */
export async function runAfterReset(client: Client, workflowId: string, runId: string): Promise<string | undefined> {
  const description = await client.workflow.getHandle(workflowId, runId).describe();
  const next = description.raw.workflowExtendedInfo?.resetRunId;
  return next && next !== runId ? next : undefined;
}
