/**
 * `driftCheck`: one drift check of an endpoint, started by its schedule (`drift/<endpoint>`) or by
 * `modelship drift <endpoint> --check`. The `checkDrift` activity compares the traffic captured
 * since the previous check with the baseline (building the baseline on a version's first check)
 * and stores the result; an alert is recorded with its reasons and, when the spec says
 * `onAlert: rollback`, returns the endpoint to its previous version through the endpoint workflow's
 * `rollback` Update (refused while a deployment is in progress: that refusal is the alert's outcome).
 * A check of an endpoint that serves nothing any more deletes the endpoint's schedule.
 *
 * Deterministic: `@temporalio/workflow` and pure `sdk/` modules only.
 */
import { ActivityFailure, ApplicationFailure, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { ACTIVITY_TASK_QUEUES } from '../../sdk/names';
import type { DriftCheckRequest, DriftCheckResult } from '../../sdk/schemas';
import { driftAlertEvent, driftAlertSummary } from './driftAlert';
import { notificationsStarted, notify } from '../notify';

/** Patch id: a check of an endpoint that serves nothing (its routing is gone) deletes the endpoint's drift schedule. */
export const DRIFT_CHECK_UNSCHEDULES_GONE = 'drift-check-unschedules-gone';

const acts = proxyActivities<Pick<Activities, 'checkDrift' | 'rollBackForDrift' | 'unscheduleDriftChecks'>>({
  taskQueue: ACTIVITY_TASK_QUEUES.cpu,
  startToCloseTimeout: '3m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 },
});

export async function driftCheck(request: DriftCheckRequest): Promise<DriftCheckResult> {
  let check: DriftCheckResult;
  try {
    check = await acts.checkDrift(request);
  } catch (error) {
    // The endpoint is gone: its schedule goes too (this run still fails, saying why).
    if (endpointGone(error) && patched(DRIFT_CHECK_UNSCHEDULES_GONE)) await acts.unscheduleDriftChecks({ endpoint: request.endpoint });
    throw error;
  }
  if (check.verdict !== 'alert') return check;
  const summary = driftAlertSummary(check);
  if (request.drift.onAlert === 'rollback') {
    check.outcome = await acts.rollBackForDrift({ endpoint: request.endpoint, at: check.at, reason: summary });
  }
  // After the rollback's outcome is known: the webhooks of the spec that promoted the version (carried by the schedule) and the workers' own.
  notify(request.notifications, driftAlertEvent(check));
  await notificationsStarted();
  return check;
}

function endpointGone(error: unknown): boolean {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === 'EndpointNotServing';
}
