/**
 * An operator's rollback (`rollback` Update): back to the version that was stable before the last
 * promotion, by {@link returnToStable}, recorded in the history. Refused while a deployment runs
 * (abort that instead) or when there is nothing to return to. Deterministic.
 */
import { ApplicationFailure, patched, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { rollbackUpdate, type ControlRequest } from '../../sdk/definitions';
import { SEARCH_ATTRIBUTES } from '../../sdk/names';
import type { ServedVersion } from '../../sdk/schemas';
import { describeReturn, returnToStable } from '../rollout/returnToStable';
import { describeError } from './endpointDetails';
import type { EndpointContext } from './endpointContext';
import { adoptRouting, ENDPOINT_HOLDS_STABLE } from './routingAuthority';

export function registerRollback(ctx: EndpointContext): void {
  setHandler(rollbackUpdate, (request) => rollback(ctx, request), {
    validator: (_request: ControlRequest) => {
      const { state } = ctx;
      if (ctx.rollingBack) throw new Error(`endpoint ${ctx.name} is already rolling back`);
      if (state.active) {
        throw new Error(
          `${state.active.workflowId} is in progress; once its rollout has started, abort it instead (\`modelship abort ${ctx.name}\`), which returns traffic to ${state.stable?.version ?? 'the stable version'}; before that, wait for it to finish`,
        );
      }
      if (!state.previous)
        throw new Error(`endpoint ${ctx.name} has no previous stable version to return to${state.stable ? ` (it serves ${state.stable.version})` : ''}`);
    },
  });
}

async function rollback(ctx: EndpointContext, request: ControlRequest): Promise<string> {
  const { state } = ctx;
  const target = state.previous as ServedVersion;
  const from = state.stable as ServedVersion;
  const reason = request.reason ?? 'no reason given';
  ctx.rollingBack = true;
  ctx.setPhase('RollingBack');
  try {
    const back = await returnToStable(ctx.acts, { endpoint: ctx.name, stable: target, reason, updatedBy: ctx.self, timeoutMs: 120_000 }, (applied) => {
      // The routing serves `target` from here on: the state says so, whatever the check finds.
      serve(ctx, target, from, applied.generation);
    });
    const detail = `rolled back from ${from.version} to ${target.version}${request.by ? ` by ${request.by}` : ''}: ${reason} (${describeReturn(back)})`;
    ctx.record({ kind: 'rollback', version: target.version, stableBefore: from.version, stableAfter: target.version, detail, generation: back.generation });
    return detail;
  } catch (error) {
    const why = `rollback to ${target.version} failed: ${describeError(error)}`;
    if (!patched(ENDPOINT_HOLDS_STABLE)) await adoptRouting(ctx, why);
    else if (wroteRouting(error)) {
      // The routing says `target` (not yet applied everywhere): that is what the endpoint serves.
      serve(ctx, target, from, state.generation);
      ctx.record({ kind: 'rollback', version: target.version, stableBefore: from.version, stableAfter: target.version, detail: why });
    }
    throw error;
  } finally {
    ctx.rollingBack = false;
    ctx.setPhase(state.active ? 'Deploying' : 'Idle');
  }
}

/** The endpoint now serves `target`; `from` becomes the version to return to. */
function serve(ctx: EndpointContext, target: ServedVersion, from: ServedVersion, generation: number): void {
  ctx.state.generation = Math.max(ctx.state.generation, generation);
  ctx.state.stable = { ...target, since: new Date().toISOString() };
  ctx.state.previous = from;
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.version, value: target.version }]);
}

/** Failures of a routing change that come after the routing document was written (replicas were too slow, or one could not load it). */
function wroteRouting(error: unknown): boolean {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof ApplicationFailure && (cause.type === 'ReleaseTimedOut' || cause.type === 'ReplicaLoadFailed');
}
