/**
 * A workflow's activities as the Temporal server sees them (no worker needed): which one is in
 * flight now — fault tests kill a process while a given stage's activity runs — and, from the
 * history, how many attempts each took (proof that a fault was felt and retried).
 */
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

export interface InFlight {
  activityType: string;
  attempt: number;
  /** A worker had picked it up (otherwise it was still scheduled). */
  started: boolean;
}

/** A client of the Temporal server at `address` for describing workflows; close its connection when done. */
export async function describingClient(address: string): Promise<{ client: Client; close(): Promise<void> }> {
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection }), close: () => connection.close() };
}

/**
 * Resolves with the first of `activityTypes` that `workflowId` has pending (scheduled, started or
 * retrying; only started ones with `startedOnly`), polled every 25 ms, 90 s at most. A stage's
 * activity that ends between two polls is missed: list the later stages' activities too, and the
 * caller learns which one it found.
 */
export async function waitForPendingActivity(client: Client, workflowId: string, activityTypes: string[], startedOnly = false): Promise<InFlight> {
  for (let i = 0; i < 3600; i++) {
    const description = await client.workflow
      .getHandle(workflowId)
      .describe()
      .catch(() => undefined);
    const pending = description?.raw.pendingActivities?.find(
      (a) => activityTypes.includes(a.activityType?.name ?? '') && (!startedOnly || a.state === STARTED),
    );
    if (pending) return { activityType: pending.activityType?.name ?? '', attempt: pending.attempt ?? 1, started: pending.state === STARTED };
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${workflowId} had none of ${activityTypes.join(', ')} pending within 90 s`);
}

/** The highest attempt each activity type of `workflowId` reached (1: never retried), from its history. */
export async function activityAttempts(client: Client, workflowId: string): Promise<Record<string, number>> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const types = new Map<string, string>();
  const attempts: Record<string, number> = {};
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) types.set(String(event.eventId), scheduled.activityType?.name ?? '');
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      const type = types.get(String(started.scheduledEventId)) ?? '';
      attempts[type] = Math.max(attempts[type] ?? 0, started.attempt ?? 1);
    }
  }
  return attempts;
}
