/**
 * Notifications from workflow code: {@link notify} hands an event to a `notifyWorkflow` child and
 * returns at once, so a rollback or a promotion never waits for a webhook. The child is started with
 * `ParentClosePolicy.ABANDON` on Modelship's workflow task queue, so it keeps retrying delivery
 * (the `sendNotification` activity, with backoff, for up to an hour) after the deployment has ended;
 * a workflow that ends calls {@link notificationsStarted} first, which waits only until the server
 * has started each child (not for any delivery). Nothing here ever throws into the caller.
 *
 * Guarded by the patch `notifications`: a run recorded before it sends nothing when replayed.
 * Deterministic: `@temporalio/workflow` and sdk types only.
 */
import { CancellationScope, log, ParentClosePolicy, patched, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { Activities, SendNotificationInput } from '../activities';
import { ACTIVITY_TASK_QUEUES, WORKFLOW_TASK_QUEUE } from '../sdk/constants';
import type { NotificationEvent, NotificationsConfig } from '../sdk/schemas';

/** Patch id: workflows send notifications (a `notifyWorkflow` child per event). */
export const NOTIFICATIONS_PATCH = 'notifications';

/** Delivery is retried with backoff for this long at most, then given up (and logged). */
const DELIVERY_BUDGET = '1h';

/** The children this run started, until the server has acknowledged each (per workflow execution: module state is per run). */
const starting: Promise<void>[] = [];
let sent = 0;

/**
 * Sends `event` to the spec's webhooks (`notifications`) and the worker's own, without waiting:
 * starts a `notifyWorkflow` child and returns. Never throws; a child that cannot start is logged.
 */
export function notify(notifications: NotificationsConfig | undefined, event: Omit<NotificationEvent, 'at'> & { at?: string }): void {
  if (!patched(NOTIFICATIONS_PATCH)) return;
  const info = workflowInfo();
  const input: SendNotificationInput = {
    event: { ...event, at: event.at ?? new Date().toISOString(), details: { workflowId: info.workflowId, namespace: info.namespace, ...event.details } },
    webhooks: notifications?.webhooks ?? [],
  };
  // From the event and the run, not the workflow id: a history replays under another id (the replay tests use the file's name).
  const workflowId = `notify/${event.endpoint}/${event.version ?? '-'}/${info.runId}/${++sent}-${event.kind}`;
  // Not cancellable: a cancelled deployment (rolled back on its way out) still says so.
  const started = CancellationScope.nonCancellable(() =>
    startChild(notifyWorkflow, {
      workflowId,
      args: [input],
      taskQueue: WORKFLOW_TASK_QUEUE,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `Notify ${event.kind}: ${event.summary}`,
    }),
  ).then(
    () => undefined,
    (error: unknown) => log.warn('could not start a notification', { workflowId, error: String(error) }),
  );
  starting.push(started);
}

/** Waits until every notification this run sent has been started by the server (call before the workflow returns). */
export async function notificationsStarted(): Promise<void> {
  while (starting.length > 0) await Promise.all(starting.splice(0));
}

/**
 * The child that delivers one notification: the `sendNotification` activity, retried with backoff
 * for up to {@link DELIVERY_BUDGET} (a refusal that retrying cannot change ends it at once). Its
 * failure is logged and returned, never thrown: nobody waits for this workflow.
 */
export async function notifyWorkflow(input: SendNotificationInput): Promise<{ delivered?: string[]; failure?: string }> {
  const { sendNotification } = proxyActivities<Pick<Activities, 'sendNotification'>>({
    taskQueue: ACTIVITY_TASK_QUEUES.cpu,
    startToCloseTimeout: '1m',
    scheduleToCloseTimeout: DELIVERY_BUDGET,
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5m', nonRetryableErrorTypes: ['WebhookRefused'] },
    summary: `deliver ${input.event.kind} of ${input.event.endpoint}${input.event.version ? ` ${input.event.version}` : ''}`,
  });
  try {
    const delivery = await sendNotification(input);
    return { delivered: delivery.delivered };
  } catch (error) {
    const failure = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    log.warn('a notification was not delivered', { kind: input.event.kind, failure });
    return { failure };
  }
}
