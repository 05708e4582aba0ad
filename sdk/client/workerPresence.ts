/**
 * Whether a worker can answer a query now: the pollers the server has seen on the workflow task
 * queue, and a query bounded by a deadline. Readers that must not hang (`modelship status`) ask
 * here first and fall back to what the server alone records (memo, search attributes) when no
 * worker answers.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WORKFLOW_TASK_QUEUE } from '../names';

/** How long a live query may take before the reader falls back to what is recorded. */
export const LIVE_QUERY_TIMEOUT_MS = 1000;

/** How long `status()` waits for a worker's answer before it falls back to what is recorded. */
export const STATUS_QUERY_TIMEOUT_MS = 10_000;

/** How long a deployment waits for a worker on the workflow task queue before it is refused (one may be restarting). */
export const DEFAULT_WORKER_WAIT_MS = 10_000;

/** How often the wait for a worker asks the server again. */
const WORKER_RECHECK_MS = 500;

/**
 * A poller is live if the server saw it within this long: a worker's long poll lasts about a
 * minute, and the server keeps a gone worker listed for minutes.
 */
const POLLER_FRESH_MS = 90_000;

/** Why a live answer is not there: no worker polls the queue, or none answered in time. */
export interface NotLive {
  reason: string;
}

/** The number of workers the server has seen polling a workflow task queue (default Modelship's) lately. */
export async function workflowPollers(client: Client, taskQueue = WORKFLOW_TASK_QUEUE): Promise<number> {
  const response = await client.workflowService.describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name: taskQueue } });
  const now = Date.now();
  return (response.pollers ?? []).filter((p) => now - Number(p.lastAccessTime?.seconds ?? 0) * 1000 < POLLER_FRESH_MS).length;
}

/** Whether a worker polls the workflow task queue (default Modelship's), asking again every 500 ms for up to `waitMs`. */
export async function awaitWorkflowWorker(client: Client, waitMs: number, taskQueue = WORKFLOW_TASK_QUEUE): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if ((await workflowPollers(client, taskQueue)) > 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(WORKER_RECHECK_MS, Math.max(0, deadline - Date.now()))));
  }
}

/**
 * The answer of `ask` (a query) if a worker gives it within `timeoutMs`, else why not. A workflow
 * that does not exist is thrown as such (`WorkflowNotFoundError`).
 */
export async function askLive<T>(client: Client, ask: () => Promise<T>, timeoutMs = LIVE_QUERY_TIMEOUT_MS): Promise<{ value: T } | NotLive> {
  if ((await workflowPollers(client)) === 0) return { reason: `no worker is polling the ${WORKFLOW_TASK_QUEUE} task queue` };
  try {
    return { value: await client.withDeadline(Date.now() + timeoutMs, ask) };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw error;
    return { reason: `no worker answered within ${(timeoutMs / 1000).toFixed(1)} s` };
  }
}
