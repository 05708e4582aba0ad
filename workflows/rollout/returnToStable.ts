/**
 * The one way back: all traffic to the stable version, alone in the routing document; wait until
 * every live replica has applied it; ask every replica, by inference, who answers. Used by a
 * rollout's compensation (failed analysis, abort, cancellation), a direct release that could not be
 * applied everywhere, and an operator's rollback at the endpoint. Runs in a non-cancellable scope:
 * a cancelled deployment still gets its traffic back.
 *
 * Deterministic: `@temporalio/workflow` and sdk types only.
 */
import { CancellationScope } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { ReleaseReport, RolloutState, ServingConfig, TargetPicks } from '../../sdk/schemas';
import { picksOf } from '../../sdk/targetPicks';
import { toDeploymentFailure } from '../failures';

/** The version to return to: what the routing needs to serve it again. */
export interface StableTarget {
  version: string;
  /** What CPU replicas serve. */
  digest: string;
  serving?: ServingConfig;
  /** Its picks for the other targets (what GPU replicas serve). */
  picks?: TargetPicks;
}

export interface ReturnToStableInput {
  endpoint: string;
  stable: StableTarget;
  /** Why traffic goes back (recorded with the rollback). */
  reason: string;
  /** Recorded in the routing document (the workflow id). */
  updatedBy: string;
  /** How long to wait for the replicas to apply it. */
  timeoutMs: number;
}

/** What going back did: the rollback record a rollout keeps, plus whether inference proved it. */
export type ReturnedToStable = NonNullable<RolloutState['rollback']> & {
  replicas: number;
  /** Why the inference check could not prove it (traffic is back by the routing all the same). */
  unverified?: string;
};

export type ReturnActivities = Pick<Activities, 'applyRouting' | 'verifyServing'>;

/**
 * Returns the endpoint to `stable`. Fails only if the routing cannot be applied; a failed
 * inference check is reported in `unverified`, not thrown (the routing serves stable regardless).
 * Going back waits for every live replica but never for a minimum count: a missing replica is no
 * reason to keep serving the version being left.
 */
export function returnToStable(
  activities: ReturnActivities,
  input: ReturnToStableInput,
  /** Called once the routing is applied, before the inference check (the caller records what now serves). */
  onApplied: (applied: ReleaseReport) => void = () => undefined,
): Promise<ReturnedToStable> {
  return CancellationScope.nonCancellable(async () => {
    const decided = Date.now();
    const { version, digest, serving } = input.stable;
    const applied = await activities.applyRouting({
      endpoint: input.endpoint,
      desired: { versions: [{ version, digest, weight: 100, serving, ...picksOf(input.stable) }] },
      timeoutMs: input.timeoutMs,
      minReplicas: 0,
      updatedBy: input.updatedBy,
    });
    onApplied(applied);
    let verified: Record<string, number> = {};
    let unreachable: string[] | undefined;
    let unverified: string | undefined;
    try {
      ({ versions: verified, unreachable } = await activities.verifyServing({ endpoint: input.endpoint, version: input.stable.version }));
    } catch (error) {
      unverified = toDeploymentFailure('release', error).message;
    }
    return {
      reason: input.reason,
      generation: applied.generation,
      verified,
      tookMs: Date.now() - decided,
      replicas: applied.replicas.length,
      ...(unreachable !== undefined ? { unreachable } : {}),
      ...(unverified !== undefined ? { unverified } : {}),
    };
  });
}

/** How a return reads in a history line or failure message: generation, replicas, verification, time. */
export function describeReturn(back: ReturnedToStable): string {
  const left = back.unreachable !== undefined ? ` (could not reach ${back.unreachable.join(', ')})` : '';
  const verification = back.unverified !== undefined ? `NOT verified: ${back.unverified}` : `verified ${JSON.stringify(back.verified)}${left}`;
  return `generation ${back.generation}, ${back.replicas} replica(s), ${verification}, ${back.tookMs} ms`;
}
