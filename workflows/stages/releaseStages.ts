/**
 * The stages that put a pick in front of traffic — directly, or by a progressive rollout against
 * the stable version the admitting endpoint handed over — and a stage of your own in between.
 * A release that may have changed the routing and failed returns the endpoint to that stable version
 * before its deployment fails or waits for an operator's retry (which re-runs it from there).
 * Deterministic: imports only `@temporalio/workflow` and pure `sdk/` modules.
 */
import { patched } from '@temporalio/workflow';
import type { Candidate, DeploymentFailure, ModelArtifact, ReleaseReport } from '../../sdk/schemas';
import { fail, StageFailed, type Deployment } from '../deployment';
import { isInfrastructureFailure, toDeploymentFailure } from '../failures';
import { canaryRollout } from '../rollout/progressive';
import { describeReturn, returnToStable, type StableTarget } from '../rollout/returnToStable';
import { shortDigest } from '../../sdk/shortDigest';
import { routedPicks, type PickedRoute } from '../../sdk/targetPicks';
import { isWatchedSwitch, POST_PROMOTION_WATCH, watchedSwitch } from '../rollout/watchPlan';

/** Patch id: a direct release started without an endpoint reads the stable version first (to return to it on failure). */
const DIRECT_RELEASE_READS_STABLE = 'direct-release-reads-stable';

/** Patch id: a direct release that failed for an infrastructure reason returns to stable before it waits for a retry (or fails). */
const RETURN_BEFORE_WAITING = 'release-returns-before-waiting';

/** Patch id: before its first routing change, a deployment its endpoint started checks that it is still the endpoint's active one. */
const RELEASE_CHECKS_ACTIVE_RUN = 'release-checks-active-run';

/** Failures after which a direct release returns the endpoint to stable: the new version may be applied on some replicas only. */
const PARTIAL_RELEASE_FAILURES: ReadonlySet<DeploymentFailure['type']> = new Set(['ReleaseTimedOut', 'ReplicaLoadFailed']);

/**
 * Puts `serving` in front of traffic by the spec's rollout: at once (`direct`, or when there is no
 * stable version to compare with), or by {@link canaryStage}.
 */
export async function releaseStage(d: Deployment, serving: Candidate): Promise<void> {
  const { spec, status } = d;
  const artifact = serving.artifact ?? fail('release', `candidate ${serving.label} has no artifact`);
  const rollout = spec.rollout;
  const stable = await stableToReplace(d);
  if (rollout.strategy !== 'direct' && stable && stable.version !== spec.version) {
    await canaryStage(d, serving, stable);
    return;
  }
  const watched = rollout.strategy === 'direct' && stable && stable.version !== spec.version ? watchedSwitch(rollout) : undefined;
  if (watched && stable && patched(POST_PROMOTION_WATCH)) {
    // All traffic at once, the previous version kept loaded (weight 0) for the watch: a canary without steps.
    await canaryStage({ ...d, spec: { ...spec, rollout: watched } }, serving, stable);
    return;
  }
  status.release = await d.stage(
    'release',
    async () => {
      await refuseIfEndpointMovedOn(d);
      return releaseDirectly(d, serving, artifact, stable ?? undefined);
    },
    (r) =>
      `${serving.label} (${shortDigest(artifact.digest)}): generation ${r.generation} ${appliedBy(r)}` +
      (rollout.strategy !== 'direct' ? ` (no stable version to compare with: ${rollout.strategy} skipped, released directly)` : ''),
  );
}

/**
 * Refuses (`StaleRun`, not retried) a release its endpoint no longer expects: the deployment was
 * reset after the endpoint recorded its end and moved on, so what it would write is nobody's to write.
 * A reset of a running deployment passes: the endpoint still holds it (and follows the new run).
 */
async function refuseIfEndpointMovedOn(d: Deployment): Promise<void> {
  // Started without an endpoint, nothing to ask; histories recorded before the patch did not ask.
  if (!d.admission || !patched(RELEASE_CHECKS_ACTIVE_RUN)) return;
  const { endpoint } = d.spec;
  const check = await d
    .cpu(30_000, `ask ${endpoint} whether this deployment is still the one in progress`)
    .checkActiveDeployment({ endpoint, workflowId: d.status.workflowId });
  if (check.active) return;
  throw new StageFailed({
    type: 'StaleRun',
    stage: 'release',
    message: `this run was reset after endpoint ${endpoint} moved on (it holds ${check.inProgress ?? 'no deployment'} in progress): deploy again`,
  });
}

/**
 * The version this deployment replaces: as the admitting endpoint handed it over (the authority on
 * what serves), or — for a deployment started without an endpoint — as the routing document says.
 */
async function stableToReplace(d: Deployment): Promise<StableTarget | null> {
  if (d.admission) return d.admission.stable;
  // Histories recorded before the patch did not read the stable version for a direct release.
  if (d.spec.rollout.strategy === 'direct' && !patched(DIRECT_RELEASE_READS_STABLE)) return null;
  return d.cpu(60_000, `read the stable version of ${d.spec.endpoint}`).readStable({ endpoint: d.spec.endpoint });
}

/**
 * All traffic to the new version at once; if that cannot be applied everywhere — or fails for an
 * infrastructure reason, possibly after writing the routing — back to `stable` first: the stage then
 * fails, or waits for a retry that releases again from stable.
 */
async function releaseDirectly(d: Deployment, serving: Candidate, artifact: ModelArtifact, stable: StableTarget | undefined): Promise<ReleaseReport> {
  const { spec, status } = d;
  const rollout = spec.rollout;
  try {
    return await d.cpu(rollout.timeout + 30_000, `roll out ${spec.version} (${serving.label}) to ${spec.endpoint}`).releaseVersion({
      endpoint: spec.endpoint,
      version: spec.version,
      ...servedRoute(status, artifact),
      timeoutMs: rollout.timeout,
      minReplicas: rollout.minReplicas,
      updatedBy: status.workflowId,
      serving: spec.serving,
    });
  } catch (error) {
    const failure = toDeploymentFailure('release', error);
    const infrastructure = isInfrastructureFailure(error);
    // Histories recorded before the patch waited (or failed) on an infrastructure failure without going back.
    if (!stable || !(PARTIAL_RELEASE_FAILURES.has(failure.type) || (infrastructure && patched(RETURN_BEFORE_WAITING)))) throw error;
    // Histories recorded before the patch (a canary redeploying its stable version) did not go back here.
    if (!d.admission && !patched(DIRECT_RELEASE_READS_STABLE)) throw error;
    // No replica (and no replica started later) may keep a version that could not be applied everywhere.
    const back = await returnToStable(d.wayBack(rollout.timeout + 30_000, `return ${spec.endpoint} to ${stable.version}`), {
      endpoint: spec.endpoint,
      stable,
      reason: `${failure.type}: ${failure.message}`,
      updatedBy: status.workflowId,
      timeoutMs: rollout.timeout,
    });
    throw new StageFailed(
      { ...failure, message: `${failure.message}; routing restored to ${stable.version} 100% (${describeReturn(back)})` },
      false,
      infrastructure,
    );
  }
}

/**
 * The progressive rollout (`canary` or `blueGreen` in the spec) of `serving` against the endpoint's
 * stable version, as the `release` stage; a rollback ends the deployment as `rolledBack`.
 */
export async function canaryStage(d: Deployment, serving: Candidate, stableVersion?: StableTarget): Promise<void> {
  const { spec, status } = d;
  const rollout = spec.rollout;
  if (rollout.strategy === 'direct') fail('release', 'canaryStage needs a canary or blueGreen rollout in the spec');
  const artifact = serving.artifact ?? fail('release', `candidate ${serving.label} has no artifact`);
  const activities = d.cpu(rollout.timeout + 30_000, `roll out ${spec.version} (${serving.label}) to ${spec.endpoint}`);
  const stable = stableVersion ?? (await stableToReplace(d)) ?? fail('release', `${spec.endpoint} has no stable version to roll out against`);
  status.release = await d.stage(
    'release',
    async () => {
      await refuseIfEndpointMovedOn(d);
      d.setPhase(rollout.strategy === 'blueGreen' ? 'BlueGreen' : isWatchedSwitch(rollout) ? 'Releasing' : 'Canary');
      const wayBack = d.wayBack(rollout.timeout + 30_000, `return ${spec.endpoint} to ${stable.version}`);
      const route = servedRoute(status, artifact);
      const result = await canaryRollout({ ...spec, rollout }, status, stable, route, activities, status.workflowId, d.changed, wayBack);
      if (result.outcome === 'rolledBack') throw new StageFailed(result.failure as DeploymentFailure, true);
      return result.release as NonNullable<typeof result.release>;
    },
    (r) =>
      `${status.rollout?.strategy ?? rollout.strategy} rollout of ${serving.label} passed ${status.rollout?.steps.length ?? 0} step(s); promoted: generation ${r.generation} ${appliedBy(r)}`,
  );
}

/**
 * A stage of your own between Modelship's: typically an activity on your task queue. Its state,
 * timing and summary show in the status, the UI and the report. A non-retryable failure of its
 * activity rejects the model (`CustomCheckFailed`, with your failure's type and message).
 */
export function customStage<T>(d: Deployment, name: string, body: () => Promise<T>, describe: (result: T) => string = () => 'done'): Promise<T> {
  return d.stage(name, body, describe);
}

/**
 * What the routing serves of `serving`: the selection's picks per target (`status.artifact` on CPU
 * replicas, `status.picks` on the others) when `serving` is one of them; a candidate of a workflow's
 * own choosing serves alone, on every target.
 */
function servedRoute(status: Deployment['status'], artifact: ModelArtifact): PickedRoute {
  const selected = status.artifact && (artifact.digest === status.artifact.digest || artifact.digest === status.picks?.gpu?.digest);
  if (!selected || !status.artifact) return { digest: artifact.digest };
  const picks = routedPicks(status.picks);
  return { digest: status.artifact.digest, ...(picks ? { picks } : {}) };
}

/** Who applied a release: the replicas, and those it went on without because their heartbeats had stopped. */
function appliedBy(release: ReleaseReport): string {
  const stale = release.staleReplicas ?? [];
  const without = stale.length > 0 ? ` (went on without stale replica(s) ${stale.map((r) => r.replicaId).join(', ')}: no heartbeat)` : '';
  return `applied by ${release.replicas.length} replica(s)${without}`;
}
