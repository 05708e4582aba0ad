/**
 * The canary rollout of a deployment: an optional shadow phase, then weighted steps each judged
 * against the stable version; approvals, pause/resume and abort through Updates; and rollback as a
 * compensation (non-cancellable): all traffic back to stable, every replica applied, verified by
 * inference. Deterministic: `@temporalio/workflow` and sdk types only.
 */
import { CancellationScope, condition, isCancellation, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { abortUpdate, approveUpdate, pauseUpdate, resumeUpdate, type ControlRequest } from '../sdk/definitions';
import { SEARCH_ATTRIBUTES } from '../sdk/names';
import type {
  AnalysisVerdict,
  DeploymentFailure,
  DeploymentStatus,
  ModelArtifact,
  PipelineSpec,
  ReleaseReport,
  RoutedVersion,
  RolloutState,
  RolloutStep,
  ServingConfig,
} from '../sdk/schemas';

type CanarySpec = Extract<PipelineSpec['rollout'], { strategy: 'canary' }>;

/** The activities the rollout needs (bound to the CPU queue by the caller). */
export interface RolloutActivities {
  applyRouting(input: {
    endpoint: string;
    desired: { versions: { version: string; digest: string; weight: number; serving?: ServingConfig }[]; shadow?: { version: string; digest: string; percent: number; serving?: ServingConfig } };
    timeoutMs: number;
    minReplicas: number;
    updatedBy: string;
  }): Promise<ReleaseReport>;
  analyzeCanary(input: {
    endpoint: string;
    stableVersion: string;
    canaryVersion?: string;
    shadowVersion?: string;
    since: number;
    config: CanarySpec['analysis'];
  }): Promise<AnalysisVerdict>;
  verifyServing(input: { endpoint: string; version: string }): Promise<{ versions: Record<string, number> }>;
}

export interface CanaryResult {
  outcome: 'promoted' | 'rolledBack';
  release?: ReleaseReport;
  failure?: DeploymentFailure;
}

/** Thrown inside the rollout to stop it and roll back. */
class RollBack extends Error {
  constructor(readonly failure: DeploymentFailure) {
    super(failure.message);
  }
}

export async function canaryRollout(
  spec: PipelineSpec & { rollout: CanarySpec },
  status: DeploymentStatus,
  stable: RoutedVersion,
  artifact: ModelArtifact,
  activities: RolloutActivities,
  updatedBy: string,
): Promise<CanaryResult> {
  const rollout = spec.rollout;
  const state: RolloutState = {
    strategy: 'canary',
    state: 'starting',
    stableVersion: stable.version,
    weight: 0,
    steps: [
      ...(rollout.shadow ? [{ kind: 'shadow' as const, weight: rollout.shadow.percent, status: 'pending' as const, dryRun: false }] : []),
      ...rollout.steps.map((s) => ({ kind: 'canary' as const, weight: s.weight, status: 'pending' as const, dryRun: s.dryRun })),
    ],
  };
  status.rollout = state;

  let abortRequest: ControlRequest | undefined;
  let approval: ControlRequest | undefined;
  let paused = false;
  const active = (): boolean => !['rolling-back', 'done'].includes(state.state);
  setHandler(
    abortUpdate,
    (request) => {
      abortRequest = request;
      return `aborting the rollout of ${spec.version}: traffic returns to ${stable.version}`;
    },
    { validator: (_request: ControlRequest) => void (active() || reject(`the rollout is ${state.state}; nothing to abort`)) },
  );
  setHandler(
    approveUpdate,
    (request) => {
      approval = request;
      return `approved step at ${state.weight}%`;
    },
    { validator: (_request: ControlRequest) => void (state.state === 'awaiting-approval' || reject(`no step is waiting for approval (the rollout is ${state.state})`)) },
  );
  setHandler(
    pauseUpdate,
    (_request: ControlRequest) => {
      paused = true;
      return `paused at ${state.weight}%`;
    },
    { validator: (_request: ControlRequest) => void ((state.state === 'baking' && !paused) || reject(`only a baking step can be paused (the rollout is ${state.state})`)) },
  );
  setHandler(
    resumeUpdate,
    (_request: ControlRequest) => {
      paused = false;
      return `resumed at ${state.weight}%`;
    },
    { validator: (_request: ControlRequest) => void (paused || reject('the rollout is not paused')) },
  );

  const route = (canaryWeight: number, shadowPercent?: number) =>
    activities.applyRouting({
      endpoint: spec.endpoint,
      desired: {
        versions:
          canaryWeight === 0
            ? [{ version: stable.version, digest: stable.digest, weight: 100, serving: stable.serving }]
            : [
                { version: stable.version, digest: stable.digest, weight: 100 - canaryWeight, serving: stable.serving },
                { version: spec.version, digest: artifact.digest, weight: canaryWeight, serving: spec.serving },
              ],
        ...(shadowPercent ? { shadow: { version: spec.version, digest: artifact.digest, percent: shadowPercent, serving: spec.serving } } : {}),
      },
      timeoutMs: rollout.timeout,
      minReplicas: rollout.minReplicas,
      updatedBy,
    });

  const checkAbort = (): void => {
    if (abortRequest) {
      throw new RollBack({ type: 'RolloutAborted', stage: 'release', message: `aborted${abortRequest.by ? ` by ${abortRequest.by}` : ''}: ${abortRequest.reason ?? 'no reason given'}` });
    }
  };

  /** Waits `ms` of un-paused time; an abort interrupts it. */
  async function bake(ms: number): Promise<void> {
    let remaining = ms;
    while (remaining > 0) {
      state.state = paused ? 'paused' : 'baking';
      if (paused) {
        await condition(() => !paused || abortRequest !== undefined);
        checkAbort();
        continue;
      }
      const started = Date.now();
      await condition(() => abortRequest !== undefined || paused, remaining);
      checkAbort();
      remaining -= Date.now() - started;
    }
  }

  async function judge(step: RolloutStep, since: number, versions: { canaryVersion?: string; shadowVersion?: string }, bakeMs: number): Promise<void> {
    for (let extension = 0; ; extension++) {
      state.state = 'analyzing';
      step.verdict = await activities.analyzeCanary({ endpoint: spec.endpoint, stableVersion: stable.version, since, config: rollout.analysis, ...versions });
      if (step.verdict.status === 'inconclusive' && extension < rollout.maxBakeExtensions) {
        step.note = `inconclusive (${step.verdict.checks[0]?.detail}); baking ${extension + 1} more time(s)`;
        await bake(bakeMs);
        continue;
      }
      break;
    }
    const verdict = step.verdict;
    if (verdict.status === 'pass') return;
    const failed = verdict.checks.filter((c) => c.status !== 'pass');
    const message =
      verdict.status === 'inconclusive'
        ? `no verdict after ${rollout.maxBakeExtensions + 1} bake(s): ${failed.map((c) => c.detail).join('; ')}`
        : `${step.kind === 'shadow' ? 'shadow' : `canary at ${step.weight}%`} failed analysis: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`;
    if (step.dryRun) {
      step.note = `dry run, not acted on: ${message}`;
      return;
    }
    throw new RollBack({ type: verdict.status === 'inconclusive' ? 'AnalysisInconclusive' : 'CanaryRegressed', stage: 'release', message });
  }

  try {
    let index = 0;
    if (rollout.shadow) {
      const step = state.steps[index++] as RolloutStep;
      step.status = 'running';
      step.startedAt = new Date().toISOString();
      const applied = await route(0, rollout.shadow.percent);
      await bake(rollout.shadow.bake);
      await judge(step, applied.appliedAt ?? Date.now(), { shadowVersion: spec.version }, rollout.shadow.bake);
      step.status = 'passed';
      step.finishedAt = new Date().toISOString();
    }
    for (const config of rollout.steps) {
      const step = state.steps[index++] as RolloutStep;
      checkAbort();
      step.status = 'running';
      step.startedAt = new Date().toISOString();
      const applied = await route(config.weight);
      state.weight = config.weight;
      upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.canaryWeight, value: config.weight }]);
      await bake(config.bake);
      if (config.analysis) await judge(step, applied.appliedAt ?? Date.now(), { canaryVersion: spec.version }, config.bake);
      if (config.approval) {
        state.state = 'awaiting-approval';
        const answered = await condition(() => approval !== undefined || abortRequest !== undefined, config.approval.timeout);
        checkAbort();
        if (!answered && config.approval.onTimeout === 'rollback') {
          throw new RollBack({ type: 'ApprovalTimedOut', stage: 'release', message: `no approval at ${config.weight}% within ${config.approval.timeout} ms` });
        }
        step.approvedBy = approval ? `${approval.by ?? 'someone'}${approval.reason ? `: ${approval.reason}` : ''}` : 'timeout (proceed)';
        approval = undefined;
      }
      step.status = 'passed';
      step.finishedAt = new Date().toISOString();
    }
    checkAbort();
    state.state = 'promoting';
    // The promoted version takes all traffic, alone in the routing document: the previous stable is unloaded.
    const promoted = await activities.applyRouting({
      endpoint: spec.endpoint,
      desired: { versions: [{ version: spec.version, digest: artifact.digest, weight: 100, serving: spec.serving }] },
      timeoutMs: rollout.timeout,
      minReplicas: rollout.minReplicas,
      updatedBy,
    });
    state.weight = 100;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.canaryWeight, value: 100 }]);
    state.state = 'done';
    return { outcome: 'promoted', release: promoted };
  } catch (error) {
    const failure: DeploymentFailure =
      error instanceof RollBack
        ? error.failure
        : isCancellation(error)
          ? { type: 'RolloutAborted', stage: 'release', message: 'the deployment workflow was cancelled' }
          : { type: 'InfrastructureError', stage: 'release', message: error instanceof Error ? error.message : String(error) };
    for (const s of state.steps) if (s.status === 'running') s.status = 'failed';
    for (const s of state.steps) if (s.status === 'pending') s.status = 'skipped';
    await CancellationScope.nonCancellable(async () => {
      const decided = Date.now();
      state.state = 'rolling-back';
      const back = await route(0);
      state.weight = 0;
      upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.canaryWeight, value: 0 }]);
      const check = await activities.verifyServing({ endpoint: spec.endpoint, version: stable.version });
      state.rollback = { reason: `${failure.type}: ${failure.message}`, generation: back.generation, verified: check.versions, tookMs: Date.now() - decided };
      state.state = 'done';
    });
    return { outcome: 'rolledBack', failure };
  }
}

function reject(message: string): never {
  throw new Error(message);
}
