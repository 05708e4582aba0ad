/**
 * The endpoint is the authority on what serves: when a deployment ends without returning traffic
 * itself (it failed, was cancelled or terminated after touching the routing), the endpoint returns
 * the routing to the stable version it holds, by the one way back. Deterministic.
 *
 * Histories recorded before {@link ENDPOINT_HOLDS_STABLE} did the opposite — re-read the routing
 * and adopted whatever it served — and replay that path unchanged ({@link adoptRouting}).
 */
import { CancellationScope, upsertSearchAttributes } from '@temporalio/workflow';
import { SEARCH_ATTRIBUTES } from '../../sdk/names';
import { describeReturn, returnToStable } from '../rollout/returnToStable';
import type { EndpointContext } from './endpointContext';
import { describeError } from './endpointDetails';
import { picksOf } from '../../sdk/targetPicks';

/** Patch id: the endpoint restores its stable version instead of adopting the routing. */
export const ENDPOINT_HOLDS_STABLE = 'endpoint-holds-stable';

/**
 * Returns the routing to the endpoint's stable version after a deployment that may have left it
 * changed; says what it did, for the deployment's history line.
 */
export async function restoreStable(ctx: EndpointContext, why: string): Promise<string> {
  const stable = ctx.state.stable;
  if (!stable) return `no stable version to return to (${why})`;
  try {
    const back = await returnToStable(ctx.acts, { endpoint: ctx.name, stable, reason: why, updatedBy: ctx.self, timeoutMs: 120_000 });
    ctx.state.generation = Math.max(ctx.state.generation, back.generation);
    return `the endpoint returned traffic to ${stable.version} (${describeReturn(back)})`;
  } catch (error) {
    // The endpoint lives on (its queue and history matter more than this attempt); the history says
    // what failed, and an operator's `rollback` or the next deployment returns to it again.
    return `the endpoint could NOT return traffic to ${stable.version}: ${describeError(error)}`;
  }
}

/** Before the patch: makes `stable` what the routing document serves, if they disagree (recorded in the history). */
export async function adoptRouting(ctx: EndpointContext, why: string): Promise<void> {
  const { state } = ctx;
  // Also when the endpoint is being cancelled: its state must say what serves.
  const serving = await CancellationScope.nonCancellable(() => ctx.acts.readStable({ endpoint: ctx.name }));
  if (!serving || serving.version === state.stable?.version) return;
  const before = state.stable?.version;
  if (state.previous?.version === serving.version) state.previous = state.stable;
  state.stable = { version: serving.version, digest: serving.digest, serving: serving.serving, ...picksOf(serving), since: new Date().toISOString() };
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.version, value: serving.version }]);
  ctx.record({
    kind: 'failed',
    version: serving.version,
    stableBefore: before,
    stableAfter: serving.version,
    detail: `the routing serves ${serving.version}, not ${before ?? 'nothing'} (${why}); the endpoint now holds ${serving.version} as stable`,
  });
}
