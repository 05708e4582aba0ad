/**
 * How a drift alert is told: its one-line summary (the rollback's reason, the notification's
 * summary) and the `driftAlert` notification event built from a check (see the notifications
 * contract: `{ kind, endpoint, version, summary, reason, at, details }`). Pure.
 */
import type { DriftCheckResult } from '../../sdk/schemas';

/** `drift alert on fraud v2: input feature features[0] drifted: PSI 3.1 > 0.25 (…); 1 more`. */
export function driftAlertSummary(check: DriftCheckResult): string {
  const [first, ...rest] = check.reasons;
  return `drift alert on ${check.endpoint} ${check.version}: ${first ?? 'thresholds crossed'}${rest.length > 0 ? `; ${rest.length} more` : ''}`;
}

/** The `driftAlert` notification event of an alerting check (the shape `sdk/schemas/notification.ts` defines). */
export function driftAlertEvent(check: DriftCheckResult) {
  return {
    kind: 'driftAlert' as const,
    endpoint: check.endpoint,
    version: check.version,
    summary: driftAlertSummary(check),
    reason: check.reasons.join('; '),
    at: check.at,
    details: {
      rows: check.rows,
      worstFeature: check.worstFeature,
      predictionPsi: check.predictionPsi,
      nonFiniteRate: check.nonFiniteRate,
      drifted: check.features.filter((f) => f.drifted).map((f) => f.name),
      ...(check.outcome ? { outcome: check.outcome } : {}),
    },
  };
}
