/**
 * Progressive rollouts of a deployment, judged against the stable version: `canary` (./canary.ts)
 * or `blueGreen` (./blueGreen.ts). Approvals, pause/resume and abort arrive as Updates
 * (./controls.ts). Passing every step promotes the new version (alone in the routing, the previous
 * stable unloaded); anything else — a failed verdict, an abort, a cancellation, an error — returns
 * all traffic to stable by {@link returnToStable}.
 * Deterministic: `@temporalio/workflow` and sdk types only.
 */
import { isCancellation } from '@temporalio/workflow';
import type { DeploymentFailure, DeploymentStatus, ModelArtifact, PipelineSpec, ReleaseReport, TargetPicks } from '../../sdk/schemas';
import { picksOf } from '../../sdk/targetPicks';
import { toDeploymentFailure } from '../failures';
import { runBlueGreen } from './blueGreen';
import { runCanary } from './canary';
import { returnToStable, type ReturnActivities, type StableTarget } from './returnToStable';
import { RollBack } from './rollBack';
import { RolloutRun, type ProgressiveRolloutSpec, type RolloutActivities, type RolloutObserver } from './rolloutRun';

export interface CanaryResult {
  outcome: 'promoted' | 'rolledBack';
  release?: ReleaseReport;
  failure?: DeploymentFailure;
}

export async function canaryRollout(
  spec: PipelineSpec & { rollout: ProgressiveRolloutSpec },
  status: DeploymentStatus,
  stable: StableTarget,
  /** The new version's artifact (what CPU replicas serve), with its picks for the other targets. */
  artifact: Pick<ModelArtifact, 'digest'> & { picks?: TargetPicks },
  activities: RolloutActivities,
  updatedBy: string,
  observe: RolloutObserver = () => undefined,
  /** Activities for the way back to stable (by default `activities`); the deployment's are retried until they succeed. */
  wayBack: ReturnActivities = activities,
): Promise<CanaryResult> {
  const stableRoute = { version: stable.version, digest: stable.digest, serving: stable.serving, ...picksOf(stable) };
  const candidate = { version: spec.version, digest: artifact.digest, serving: spec.serving, ...picksOf(artifact) };
  const run = new RolloutRun(spec, status, stableRoute, candidate, activities, updatedBy, observe);
  try {
    const rollout = spec.rollout;
    if (rollout.strategy === 'canary') await runCanary(run, rollout);
    else await runBlueGreen(run, rollout);
    return { outcome: 'promoted', release: await promote(run) };
  } catch (error) {
    const failure: DeploymentFailure =
      error instanceof RollBack
        ? error.failure
        : isCancellation(error)
          ? { type: 'RolloutAborted', stage: 'release', message: 'the deployment workflow was cancelled' }
          : toDeploymentFailure('release', error);
    await compensate(run, failure, wayBack);
    return { outcome: 'rolledBack', failure };
  }
}

/** The new version takes all traffic, alone in the routing document: the previous stable is unloaded. */
async function promote(run: RolloutRun): Promise<ReleaseReport> {
  await run.controls.holdWhilePaused();
  run.setState('promoting');
  const promoted = await run.activities.applyRouting({
    endpoint: run.spec.endpoint,
    desired: { versions: [{ ...run.candidate, weight: 100 }] },
    timeoutMs: run.rollout.timeout,
    minReplicas: run.rollout.minReplicas,
    updatedBy: run.updatedBy,
  });
  run.markWeight(100);
  run.setState('done');
  run.observe({ weight: 100, generation: promoted.generation });
  return promoted;
}

/** Marks the steps that did not finish, and returns all traffic to stable (recorded in the rollout state). */
async function compensate(run: RolloutRun, failure: DeploymentFailure, wayBack: ReturnActivities): Promise<void> {
  for (const s of run.state.steps) if (s.status === 'running') s.status = 'failed';
  for (const s of run.state.steps) if (s.status === 'pending') s.status = 'skipped';
  run.setState('rolling-back');
  const back = await returnToStable(
    wayBack,
    {
      endpoint: run.spec.endpoint,
      stable: run.stable,
      reason: `${failure.type}: ${failure.message}`,
      updatedBy: run.updatedBy,
      timeoutMs: run.rollout.timeout,
    },
    (applied) => run.setWeight(0, applied.generation),
  );
  // Traffic is back on stable by the routing even when the check could not prove it: say so, keep the reason.
  if (back.unverified !== undefined) failure.message += ` (rollback applied, NOT verified: ${back.unverified})`;
  const { generation, verified, unreachable, tookMs } = back;
  run.state.rollback = { reason: `${failure.type}: ${failure.message}`, generation, verified, ...(unreachable ? { unreachable } : {}), tookMs };
  run.setState('done');
}
