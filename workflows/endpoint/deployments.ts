/**
 * Running the next admitted deployment: start it as a child workflow (`deploy/<endpoint>/<version>`)
 * with the stable version it replaces, follow it to its end, and record the outcome — a promotion
 * makes it stable; a deployment that ends without returning traffic itself has it returned by the
 * endpoint. Deterministic.
 */
import { log, ParentClosePolicy, patched, proxyActivities, sleep, startChild, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { isOutcome } from '../../sdk/constants';
import type { DeploymentAdmission, KnownArtifact, SubmitDeploymentRequest } from '../../sdk/definitions';
import { ACTIVITY_TASK_QUEUES, deploymentStartAttributes, SEARCH_ATTRIBUTES, WORKFLOW_TYPES } from '../../sdk/names';
import type { AdmittedDeployment, DeploymentResult, PipelineSpec } from '../../sdk/schemas';
import { describeError, describeResult } from './endpointDetails';
import type { EndpointContext } from './endpointContext';
import { adoptRouting, ENDPOINT_HOLDS_STABLE, restoreStable } from './routingAuthority';
import { knownArtifactFor, publishVersions, recordPromotion } from './versions';
import { scheduleDriftChecks } from '../drift/promotionSchedule';
import { routedPicksOf, picksOf } from '../../sdk/targetPicks';

/** Patch: the endpoint itself terminates a custom deployment that does not start in time (before, only a waiting client did). */
export const ENDPOINT_ENFORCES_START = 'endpoint-enforces-start';

/** How long the endpoint waits for its start check's answer once a custom deployment has failed (terminated) first. */
const START_CHECK_GRACE_MS = 10_000;

/** Phases in which a deployment changes the routing. */
const RELEASING: ReadonlySet<string> = new Set(['Releasing', 'Canary', 'BlueGreen']);

export async function runNext(ctx: EndpointContext): Promise<void> {
  const { state } = ctx;
  const entry = state.queue.shift() as AdmittedDeployment;
  const request = ctx.pending.get(entry.workflowId) as SubmitDeploymentRequest;
  ctx.pending.delete(entry.workflowId);
  const spec = request.spec;
  state.active = { ...entry, startedAt: new Date().toISOString(), phase: 'Pending' };
  ctx.releasing = false;
  ctx.setPhase('Deploying');
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTES.version, value: spec.version },
    { key: SEARCH_ATTRIBUTES.canaryWeight, value: 0 },
  ]);
  const stableBefore = state.stable?.version;
  // Resolved at admission (entries admitted before that was kept: resolved now, as then).
  const release = entry.release ?? knownArtifactFor(ctx, spec).release;
  const { result, failure } = await follow(ctx, entry, request, release);
  const outcome = result?.outcome ?? 'failed';
  let detail = describeResult(result, failure);
  // A reset of the deployment (the UI's Reset) ended its run and started another, which the endpoint followed.
  const resetRuns = state.active?.resetRuns;
  if (resetRuns) {
    entry.runId = state.active?.runId;
    detail += `; reset: ran again as ${entry.runId} (run(s) ${resetRuns.join(', ')} ended by the reset)`;
  }
  if (result?.outcome === 'promoted' && result.artifact) {
    if (stableBefore !== spec.version) state.previous = state.stable;
    state.stable = {
      version: spec.version,
      digest: result.artifact.digest,
      serving: spec.serving,
      ...routedPicksOf(result.picks),
      since: new Date().toISOString(),
      workflowId: entry.workflowId,
    };
    recordPromotion(ctx, spec, result, entry.workflowId, release);
    await publishVersions(ctx);
    const drift = await scheduleDriftChecks(ctx, spec);
    if (drift) detail += `; ${drift}`;
  } else if (entry.runId && !result?.rollout?.rollback) {
    // Failed or cancelled without a rollback of its own: the routing may have changed under it.
    const why = `after ${entry.workflowId} ended ${outcome}`;
    if (!patched(ENDPOINT_HOLDS_STABLE)) await adoptRouting(ctx, why);
    else if (mayHaveChangedRouting(ctx, result)) detail += `; ${await restoreStable(ctx, why)}`;
  }
  if (result?.release) state.generation = Math.max(state.generation, result.release.generation);
  if (result?.rollout?.rollback) state.generation = Math.max(state.generation, result.rollout.rollback.generation);
  ctx.record({
    kind: outcome,
    version: spec.version,
    workflowId: entry.workflowId,
    runId: entry.runId,
    stableBefore,
    stableAfter: state.stable?.version,
    detail,
    generation: result?.release?.generation ?? result?.rollout?.rollback?.generation,
  });
  state.active = undefined;
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTES.version, value: state.stable?.version ?? '' },
    { key: SEARCH_ATTRIBUTES.canaryWeight, value: 0 },
  ]);
  ctx.setPhase('Idle');
}

/** Starts the deployment as a child and waits for its result (or the reason there is none). */
async function follow(
  ctx: EndpointContext,
  entry: AdmittedDeployment,
  request: SubmitDeploymentRequest,
  release: KnownArtifact | undefined,
): Promise<{ result?: DeploymentResult; failure?: string }> {
  const { spec } = request;
  const workflowType = request.workflowType ?? WORKFLOW_TYPES.deployModel;
  const stable = ctx.state.stable;
  const admission: DeploymentAdmission = {
    stable: stable ? { version: stable.version, digest: stable.digest, serving: stable.serving, ...picksOf(stable) } : null,
    ...(release ? { release } : {}),
  };
  try {
    const child = await startChild(workflowType, {
      workflowId: entry.workflowId,
      args: [spec, admission],
      ...(request.taskQueue ? { taskQueue: request.taskQueue } : {}),
      // Closing the endpoint cancels the deployment, whose rollback then returns traffic to stable.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      ...deploymentStartAttributes(spec),
      staticDetails: describeStart(spec, workflowType, ctx.self, request.by),
    });
    entry.runId = child.firstExecutionRunId;
    (ctx.state.active as AdmittedDeployment).runId = child.firstExecutionRunId;
    ctx.show();
    const ended: Promise<unknown> = child.result();
    if (request.startTimeoutMs !== undefined && patched(ENDPOINT_ENFORCES_START)) {
      // Raced with the result, so a check that cannot run (no CPU worker) never holds up the endpoint.
      const check = refuseUnstarted(entry.workflowId, child.firstExecutionRunId, workflowType, request);
      const settled = ended.then(
        () => 'completed' as const,
        () => 'failed' as const,
      );
      const first = await Promise.race([check.then((reason) => ({ reason })), settled]);
      // The run ended first: if it was terminated for not starting (by this check or a client), the
      // check is about to say so; give it a moment, so the endpoint records why rather than "Terminated".
      const refused =
        first === 'failed' ? await Promise.race([check, sleep(START_CHECK_GRACE_MS).then(() => undefined)]) : first === 'completed' ? undefined : first.reason;
      if (refused) return { failure: await settled.then(() => refused) };
    }
    const returned = await ended;
    if (isDeploymentResult(returned)) return { result: returned };
    return { failure: `${workflowType} returned something that is not a DeploymentResult` };
  } catch (error) {
    const failure = describeError(error);
    if (!entry.runId) ctx.startFailures.set(entry.workflowId, `could not start ${entry.workflowId}: ${failure}`);
    return { failure };
  }
}

/**
 * Terminates the custom deployment's run unless it completes its first workflow task within
 * `request.startTimeoutMs`: the reason, or `undefined` once it has started. A check that itself fails
 * (no CPU worker) is logged and left to the clients.
 */
async function refuseUnstarted(workflowId: string, runId: string, workflowType: string, request: SubmitDeploymentRequest): Promise<string | undefined> {
  const startTimeoutMs = request.startTimeoutMs ?? 0;
  const { refuseUnstartedDeployment } = proxyActivities<Activities>({
    taskQueue: ACTIVITY_TASK_QUEUES.cpu,
    startToCloseTimeout: startTimeoutMs + 60_000,
    retry: { initialInterval: '1s', maximumAttempts: 3 },
  });
  const taskQueue = request.taskQueue ?? workflowInfo().taskQueue;
  try {
    return (await refuseUnstartedDeployment({ workflowId, runId, workflowType, taskQueue, startTimeoutMs })) ?? undefined;
  } catch (error) {
    log.warn('could not check that the deployment started', { workflowId, error: String(error) });
    return undefined;
  }
}

function describeStart(spec: PipelineSpec, workflowType: string, admittedBy: string, by: string | undefined): string {
  return `source: ${spec.model.source}\nrollout: ${spec.rollout.strategy}\nworkflow: ${workflowType}\nadmitted by ${admittedBy}${by ? ` for ${by}` : ''}`;
}

/**
 * Whether a deployment that ended without a rollback of its own may have changed the routing: it
 * reported a release phase or weight, its result shows the release stage started, or there is no
 * result to tell (it failed, or was terminated, in an unknown place). Returning to stable when it had
 * not is harmless: the routing write is a no-op and the check finds stable serving.
 */
function mayHaveChangedRouting(ctx: EndpointContext, result: DeploymentResult | undefined): boolean {
  if (ctx.releasing || !result) return true;
  return result.stages.some((s) => s.name === 'release' && s.status !== 'pending' && s.status !== 'skipped');
}

/**
 * Follows the deployment to the run that reports progress: a reset (the UI's Reset, `temporal
 * workflow reset`) ends the run the endpoint started and goes on in a new one, under the same parent.
 */
export function followReset(active: AdmittedDeployment, runId: string | undefined): void {
  if (!runId || !active.runId || runId === active.runId) return;
  active.resetRuns = [...(active.resetRuns ?? []), active.runId];
  active.runId = runId;
}

/** Notes that the running deployment has reached its release (it may have changed the routing). */
export function noteProgress(ctx: EndpointContext, phase: string, weight: number | undefined): void {
  if (RELEASING.has(phase) || (weight ?? 0) > 0) ctx.releasing = true;
}

/** A structural check of what a (possibly custom) deployment workflow returned; no zod in workflow code. */
function isDeploymentResult(value: unknown): value is DeploymentResult {
  const r = value as Partial<DeploymentResult> | null;
  return typeof r === 'object' && r !== null && typeof r.outcome === 'string' && isOutcome(r.outcome) && Array.isArray(r.candidates) && Array.isArray(r.stages);
}
