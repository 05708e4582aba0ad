/**
 * An endpoint's drift schedule (`drift/<endpoint>`): the Temporal Schedule that starts a
 * `driftCheck` workflow every `drift.every`. Created or updated when a version with
 * `monitoring.drift` is promoted (by an activity, with the worker's client) and by
 * `modelship drift <endpoint> --enable`; triggered at once by `--check`, deleted by `--disable`.
 *
 * @example
 * await ensureDriftSchedule(client.temporal, 'fraud', driftMonitoring.parse({ every: '1h' }));
 * await driftScheduleHandle(client.temporal, 'fraud').trigger();
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleHandle } from '@temporalio/client';
import { WORKFLOW_TASK_QUEUE } from '../constants';
import { driftScheduleId, WORKFLOW_TYPES } from '../names';
import type { DriftCheckRequest, DriftMonitoring } from '../schemas';

function scheduleOptions(endpoint: string, drift: DriftMonitoring) {
  return {
    spec: { intervals: [{ every: drift.every }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: WORKFLOW_TYPES.driftCheck,
      workflowId: driftScheduleId(endpoint),
      taskQueue: WORKFLOW_TASK_QUEUE,
      args: [{ endpoint, drift } satisfies DriftCheckRequest],
      workflowExecutionTimeout: '10m',
    },
    // A check still running when the next is due: the next is skipped.
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
    state: { note: `drift checks of endpoint ${endpoint} every ${drift.every} ms` },
  };
}

/** Creates the endpoint's drift schedule, or updates it to `drift` when it exists; answers which. */
export async function ensureDriftSchedule(client: Client, endpoint: string, drift: DriftMonitoring): Promise<'created' | 'updated'> {
  const options = scheduleOptions(endpoint, drift);
  try {
    await client.schedule.create({ scheduleId: driftScheduleId(endpoint), ...options });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  await driftScheduleHandle(client, endpoint).update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies }));
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
