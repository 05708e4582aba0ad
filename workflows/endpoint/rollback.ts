/**
 * An operator's rollback (`rollback` Update): back to the version that was stable before the last
 * promotion, or to any version (or alias) the endpoint keeps (`to`), by {@link returnToStable},
 * recorded in the history. During a deployment's post-promotion watch it ends the watch
 * (./watchRollback.ts); refused while a deployment runs otherwise (abort that instead), when there is
 * nothing to return to, and — before anything changes — when the target's artifact or one of its
 * picks per target is gone from the store or it does not accept what clients of the serving version send (outputs it lacks are a
 * warning, recorded; `force` skips the IO check, recorded too). Deterministic.
 */
import { ApplicationFailure, patched, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { rollbackUpdate, type RollbackRequest } from '../../sdk/definitions';
import { SEARCH_ATTRIBUTES } from '../../sdk/names';
import type { AdmittedDeployment, ServedVersion } from '../../sdk/schemas';
import { describeReturn, returnToStable } from '../rollout/returnToStable';
import { describeError } from './endpointDetails';
import type { EndpointContext } from './endpointContext';
import { adoptRouting, ENDPOINT_HOLDS_STABLE } from './routingAuthority';
import { markServing } from './versions';
import { checkWatchRollback, rollbackDuringWatch, watchingDeployment } from './watchRollback';
import { resolveVersionRef } from '../../sdk/versionRefs';
import { routedPicksOf, picksOf } from '../../sdk/targetPicks';

/** Patch id: a rollback checks its target (artifact in the store, IO contract) before it changes anything. */
export const ROLLBACK_CHECKS_TARGET = 'rollback-checks-target';
/** Patch id: a rollback that reached the deployment after its watch passed rolls back the promoted version (before: it answered "promoted" and did nothing). */
export const WATCH_ROLLBACK_AFTER_PASS = 'watch-rollback-after-pass';

export function registerRollback(ctx: EndpointContext): void {
  setHandler(
    rollbackUpdate,
    (request) => {
      const watching = watchingDeployment(ctx);
      return watching ? rollbackAfterWatch(ctx, watching, request) : rollback(ctx, request);
    },
    {
      validator: (request: RollbackRequest) => {
        const { state } = ctx;
        if (ctx.rollingBack) throw new Error(`endpoint ${ctx.name} is already rolling back`);
        const watching = watchingDeployment(ctx);
        if (watching) return checkWatchRollback(ctx, watching, request);
        if (state.active) {
          throw new Error(
            `${state.active.workflowId} is in progress; once its rollout has started, abort it instead (\`modelship abort ${ctx.name}\`), which returns traffic to ${state.stable?.version ?? 'the stable version'}; before that, wait for it to finish`,
          );
        }
        rollbackTarget(ctx, request);
      },
    },
  );
}

/**
 * An operator's rollback during the watch of `watching`: ends the watch (the deployment rolls back).
 * If the watch had passed before the signal arrived (the deployment ended `promoted`), rolls back
 * the promoted version as after any promotion (it is stable now, the previous one `previous`).
 */
async function rollbackAfterWatch(ctx: EndpointContext, watching: AdmittedDeployment, request: RollbackRequest): Promise<string> {
  const ended = await rollbackDuringWatch(ctx, watching, request);
  if (ended.rolledBack || !patched(WATCH_ROLLBACK_AFTER_PASS)) return ended.message;
  if (ctx.state.active) {
    throw new Error(
      `${ended.message}; the watch had passed, and ${ctx.state.active.workflowId} is now in progress: abort it (\`modelship abort ${ctx.name}\`), then roll back`,
    );
  }
  return `${ended.message}; the watch had passed: ${await rollback(ctx, request)}`;
}

/** The version a rollback returns to: `to` (a version or alias the endpoint keeps), else the previous stable version; throws why there is none. */
function rollbackTarget(ctx: EndpointContext, request: RollbackRequest): ServedVersion {
  const { state } = ctx;
  if (request.to === undefined) {
    if (!state.previous)
      throw new Error(`endpoint ${ctx.name} has no previous stable version to return to${state.stable ? ` (it serves ${state.stable.version})` : ''}`);
    return state.previous;
  }
  const resolved = resolveVersionRef(state, request.to);
  if ('refused' in resolved) throw new Error(resolved.refused);
  const { record } = resolved;
  if (!state.stable) throw new Error(`endpoint ${ctx.name} serves nothing: deploy ${record.version} with model.source version:${record.version}`);
  if (record.version === state.stable.version)
    throw new Error(`endpoint ${ctx.name} already serves ${record.version}${resolved.via ? ` (${resolved.via})` : ''}`);
  const since = record.served[0]?.from ?? new Date().toISOString();
  return {
    version: record.version,
    digest: record.digest,
    ...routedPicksOf(record.picks),
    since,
    ...(record.serving ? { serving: record.serving } : {}),
    ...(record.workflowId ? { workflowId: record.workflowId } : {}),
  };
}

/**
 * Refuses, before anything changes, a target whose artifact is gone or that does not accept what
 * clients of `from` send (unless `force`); answers what the record should say besides (warnings, force).
 */
async function checkTarget(ctx: EndpointContext, target: ServedVersion, from: ServedVersion, force: boolean): Promise<string[]> {
  if (!patched(ROLLBACK_CHECKS_TARGET)) return [];
  const check = await ctx.acts.checkReturnTarget({
    // Its picks too: a rollback routes them, so none may be gone (nothing is changed before this check).
    target: { version: target.version, digest: target.digest, ...picksOf(target) },
    serving: { version: from.version, digest: from.digest },
    ioRule: force ? 'skip' : 'inputs',
  });
  if ('refusal' in check)
    throw ApplicationFailure.nonRetryable(`rollback of endpoint ${ctx.name} to ${target.version} refused: ${check.refusal.reason}`, 'RollbackRefused');
  return [...(force ? ['IO check skipped (force)'] : []), ...(check.warnings ?? [])];
}

async function rollback(ctx: EndpointContext, request: RollbackRequest): Promise<string> {
  const { state } = ctx;
  const target = rollbackTarget(ctx, request);
  const from = state.stable as ServedVersion;
  const reason = request.reason ?? 'no reason given';
  ctx.rollingBack = true;
  let notes: string[];
  try {
    notes = await checkTarget(ctx, target, from, request.force === true);
  } catch (error) {
    ctx.rollingBack = false;
    throw error;
  }
  ctx.setPhase('RollingBack');
  try {
    const back = await returnToStable(ctx.acts, { endpoint: ctx.name, stable: target, reason, updatedBy: ctx.self, timeoutMs: 120_000 }, (applied) => {
      // The routing serves `target` from here on: the state says so, whatever the check finds.
      serve(ctx, target, from, applied.generation);
    });
    const noted = notes.length > 0 ? `; ${notes.join('; ')}` : '';
    const detail = `rolled back from ${from.version} to ${target.version}${request.by ? ` by ${request.by}` : ''}: ${reason} (${describeReturn(back)})${noted}`;
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
  markServing(ctx, target.version, `stopped serving: rolled back to ${target.version}`);
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.version, value: target.version }]);
}

/** Failures of a routing change that come after the routing document was written (replicas were too slow, or one could not load it). */
function wroteRouting(error: unknown): boolean {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof ApplicationFailure && (cause.type === 'ReleaseTimedOut' || cause.type === 'ReplicaLoadFailed');
}
