/**
 * An endpoint's drift schedule (`drift/<endpoint>`): the Temporal Schedule that starts a
 * `driftCheck` workflow every `drift.every`. Created or updated when a version with
 * `monitoring.drift` is promoted (by an activity, with the worker's client) and by
 * `modelship drift <endpoint> --enable`; triggered at once by `--check`, deleted by `--disable`.
 * Its runs get the endpoint, the drift settings and the promoting spec's `notifications`.
 *
 * @example
 * await ensureDriftSchedule(client.temporal, { endpoint: 'fraud', drift: driftMonitoring.parse({ every: '1h' }) });
 * await driftScheduleHandle(client.temporal, 'fraud').trigger();
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleHandle } from '@temporalio/client';
import { WORKFLOW_TASK_QUEUE } from '../constants';
import { driftScheduleId, WORKFLOW_TYPES } from '../names';
import type { DriftCheckRequest } from '../schemas';

function scheduleOptions(request: DriftCheckRequest) {
  const { endpoint, drift } = request;
  return {
    spec: { intervals: [{ every: drift.every }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: WORKFLOW_TYPES.driftCheck,
      workflowId: driftScheduleId(endpoint),
      taskQueue: WORKFLOW_TASK_QUEUE,
      args: [request],
      workflowExecutionTimeout: '10m',
    },
    // A check still running when the next is due: the next is skipped.
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
    state: { note: `drift checks of endpoint ${endpoint} every ${drift.every} ms` },
  };
}

/**
 * Creates the endpoint's drift schedule, or updates it to `request` when it exists; answers which. A
 * request without `notifications` (`modelship drift --enable`) keeps those the schedule has.
 */
export async function ensureDriftSchedule(client: Client, request: DriftCheckRequest): Promise<'created' | 'updated'> {
  const { endpoint } = request;
  try {
    await client.schedule.create({ scheduleId: driftScheduleId(endpoint), ...scheduleOptions(request) });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  await driftScheduleHandle(client, endpoint).update((previous) => {
    const kept = previous.action.type === 'startWorkflow' ? (previous.action.args?.[0] as DriftCheckRequest | undefined)?.notifications : undefined;
    const options = scheduleOptions(request.notifications || !kept ? request : { ...request, notifications: kept });
    return { ...previous, spec: options.spec, action: options.action, policies: options.policies };
  });
  return 'updated';
}

export function driftScheduleHandle(client: Client, endpoint: string): ScheduleHandle {
  return client.schedule.getHandle(driftScheduleId(endpoint));
}

/** Deletes the endpoint's drift schedule; false when it had none. */
export async function deleteDriftSchedule(client: Client, endpoint: string): Promise<boolean> {
  try {
    await driftScheduleHandle(client, endpoint).delete();
    return true;
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return false;
    throw error;
  }
}
