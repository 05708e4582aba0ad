/**
 * `driftCheck`: one drift check of an endpoint, started by its schedule (`drift/<endpoint>`) or by
 * `modelship drift <endpoint> --check`. The `checkDrift` activity compares the traffic captured
 * since the previous check with the baseline (building the baseline on a version's first check)
 * and stores the result; an alert is recorded with its reasons and, when the spec says
 * `onAlert: rollback`, returns the endpoint to its previous version through the endpoint workflow's
 * `rollback` Update (refused while a deployment is in progress: that refusal is the alert's outcome).
 *
 * Deterministic: `@temporalio/workflow` and pure `sdk/` modules only.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { ACTIVITY_TASK_QUEUES } from '../../sdk/names';
import type { DriftCheckRequest, DriftCheckResult } from '../../sdk/schemas';
import { driftAlertSummary } from './driftAlert';

const acts = proxyActivities<Pick<Activities, 'checkDrift' | 'rollBackForDrift'>>({
  taskQueue: ACTIVITY_TASK_QUEUES.cpu,
  startToCloseTimeout: '3m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 },
});

export async function driftCheck(request: DriftCheckRequest): Promise<DriftCheckResult> {
  const check = await acts.checkDrift(request);
  if (check.verdict !== 'alert') return check;
  const summary = driftAlertSummary(check);
  if (request.drift.onAlert === 'rollback') {
    check.outcome = await acts.rollBackForDrift({ endpoint: request.endpoint, at: check.at, reason: summary });
  }
  // notify: driftAlert — driftAlertEvent(check) (endpoint, version, summary, reason: check.reasons, details: outcome, worst PSIs), after the rollback's outcome is known
  return check;
}
