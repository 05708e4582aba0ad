/**
 * Whether a custom deployment workflow can run, asked of the server before and after it starts: a
 * worker must poll its task queue (else it is refused at once), and its run must complete its first
 * workflow task within a time limit (else — no worker knows its type, or its code fails at once —
 * it is terminated, so its endpoint moves on, and refused with the reason). The wait is a long poll on
 * the run's history, answered by the server when an event arrives; nothing polls. The endpoint
 * workflow enforces the same limit itself (the `refuseUnstartedDeployment` activity runs
 * {@link terminateIfNotStarted}), so a queued custom deployment is checked even when no client waits;
 * a client that finds the run already ended so reads the reason from its termination.
 */
import { isGrpcDeadlineError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DeploymentRefusedError } from '../errors';
import { WORKFLOW_TASK_QUEUE } from '../names';
import { awaitWorkflowWorker, workflowPollers } from './workerPresence';

const EventType = temporal.api.enums.v1.EventType;

/** What a custom deployment runs: its workflow type and task queue, and how long its first workflow task may take. */
export interface CustomWorkflow {
  workflowType: string;
  taskQueue: string;
  startTimeoutMs: number;
}

/** Events that close a run: it has run (or someone ended it), either way not for this check to refuse. */
const CLOSED: ReadonlySet<number> = new Set([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
]);

/**
 * Refuses the deployment ({@link DeploymentRefusedError}) unless a worker polls Modelship's workflow
 * task queue (the endpoint workflow runs there) within `waitMs`.
 */
export async function requireWorkflowWorker(client: Client, endpoint: string, waitMs: number): Promise<void> {
  if (await awaitWorkflowWorker(client, waitMs)) return;
  throw new DeploymentRefusedError(
    endpoint,
    `no worker polls task queue ${WORKFLOW_TASK_QUEUE} (namespace ${client.options.namespace}), where the endpoint and deployModel workflows run: start one (\`npx modelship dev\` locally, or a Modelship worker) and deploy again`,
  );
}

/** Refuses the deployment ({@link DeploymentRefusedError}) unless some worker polls the workflow's task queue. */
export async function requirePollers(client: Client, endpoint: string, workflow: CustomWorkflow): Promise<void> {
  if ((await workflowPollers(client, workflow.taskQueue)) > 0) return;
  throw new DeploymentRefusedError(
    endpoint,
    `no worker polls task queue ${workflow.taskQueue}, so workflow ${workflow.workflowType} cannot run there: start a worker on ${workflow.taskQueue} that registers ${workflow.workflowType} (or fix DeployOptions.taskQueue / workflowType)`,
  );
}

/** What a run that did not start is terminated with; {@link whyNotStarted} recognises it in a termination. */
const NOT_STARTED = ' did not start: ';

/** The reason a custom workflow's run is terminated and refused with. */
function notStartedReason(workflow: Pick<CustomWorkflow, 'workflowType' | 'taskQueue'>, why: string): string {
  return `workflow ${workflow.workflowType} on task queue ${workflow.taskQueue}${NOT_STARTED}${why}`;
}

/**
 * `undefined` once the run has completed a workflow task (or has closed), else why it has not started
 * within `timeoutMs` — also when it was terminated for that already (by its endpoint, or another client).
 */
async function whyNotStarted(client: Client, workflowId: string, runId: string, timeoutMs: number): Promise<string | undefined> {
  const request = { namespace: client.options.namespace, execution: { workflowId, runId }, waitNewEvent: true };
  let nextPageToken: Uint8Array | undefined;
  try {
    return await client.withDeadline(Date.now() + timeoutMs, async () => {
      for (;;) {
        const page = await client.workflowService.getWorkflowExecutionHistory({ ...request, ...(nextPageToken ? { nextPageToken } : {}) });
        for (const event of page.history?.events ?? []) {
          const type = event.eventType ?? 0;
          const terminated = event.workflowExecutionTerminatedEventAttributes?.reason ?? '';
          if (type === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED && terminated.includes(NOT_STARTED))
            return terminated.split(NOT_STARTED).slice(1).join(NOT_STARTED);
          if (type === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED || CLOSED.has(type)) return undefined;
          // A worker's failure says why (an unregistered type, code that throws); one the server records
          // without a message (a lost poll, a sticky queue reset) is retried, so the wait goes on.
          const failure = event.workflowTaskFailedEventAttributes?.failure?.message;
          if (type === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED && failure) return `its first workflow task failed: ${failure}`;
        }
        if (!page.nextPageToken?.length) return undefined; // the run has closed
        nextPageToken = page.nextPageToken;
      }
    });
  } catch (error) {
    if (!isGrpcDeadlineError(error)) throw error;
    return `no worker completed its first workflow task within ${(timeoutMs / 1000).toFixed(1)} s (does a worker on its task queue register this workflow type?)`;
  }
}

/**
 * Terminates the run unless it completes its first workflow task within `timeoutMs`; the reason it
 * was (or had already been) terminated with, or `undefined` when it started (or ended otherwise).
 */
export async function terminateIfNotStarted(client: Client, workflowId: string, runId: string, workflow: CustomWorkflow): Promise<string | undefined> {
  const why = await whyNotStarted(client, workflowId, runId, workflow.startTimeoutMs);
  if (why === undefined) return undefined;
  const reason = notStartedReason(workflow, why);
  try {
    await client.workflow.getHandle(workflowId, runId).terminate(reason);
  } catch (error) {
    // It closed between the deadline and now: terminated for this already, or ended on its own.
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    return whyNotStarted(client, workflowId, runId, workflow.startTimeoutMs).then((again) =>
      again === undefined ? undefined : notStartedReason(workflow, again),
    );
  }
  return reason;
}

/**
 * Ends a run that does not start in time (so its endpoint records it failed and admits the next) and
 * refuses the deployment with the reason; returns when it started.
 */
export async function refuseIfNotStarted(client: Client, endpoint: string, workflowId: string, runId: string, workflow: CustomWorkflow): Promise<void> {
  const reason = await terminateIfNotStarted(client, workflowId, runId, workflow);
  if (reason !== undefined)
    throw new DeploymentRefusedError(endpoint, `${workflowId} refused: ${reason}; it was terminated, and endpoint ${endpoint} moves on`);
}
