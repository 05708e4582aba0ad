/**
 * A promotion sets up drift monitoring: when the promoted version's spec has `monitoring.drift`,
 * the endpoint workflow creates or updates the endpoint's drift schedule (`drift/<endpoint>`,
 * through the `scheduleDriftChecks` activity), carrying the spec's `notifications` for its alerts.
 * The new version's first check builds its baseline.
 * Never fails the promotion: a schedule that could not be set is said in the record. Deterministic.
 */
import { patched } from '@temporalio/workflow';
import type { PipelineSpec } from '../../sdk/schemas';
import type { EndpointContext } from '../endpoint/endpointContext';
import { describeError } from '../endpoint/endpointDetails';

/** Patch id: a promotion with `monitoring.drift` in its spec creates or updates the drift schedule. */
export const PROMOTION_SCHEDULES_DRIFT = 'promotion-schedules-drift';

/** Sets the drift schedule for a promoted `spec`; what to add to the record, or undefined when the spec monitors no drift. */
export async function scheduleDriftChecks(ctx: EndpointContext, spec: PipelineSpec): Promise<string | undefined> {
  const drift = spec.monitoring?.drift;
  if (!drift || !patched(PROMOTION_SCHEDULES_DRIFT)) return undefined;
  try {
    // The spec's webhooks ride in the schedule's arguments: its checks tell them of an alert (none: the schedule forgets an earlier spec's).
    const how = await ctx.acts.scheduleDriftChecks({ endpoint: ctx.name, drift, notifications: spec.notifications ?? { webhooks: [] } });
    return `drift schedule drift/${ctx.name} ${how} (every ${drift.every / 1000} s)`;
  } catch (error) {
    return `drift schedule drift/${ctx.name} not set: ${describeError(error)}`;
  }
}
