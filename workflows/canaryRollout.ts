/**
 * Progressive rollouts of a deployment, judged against the stable version:
 * - `canary`: an optional shadow phase (mirrored traffic, answers compared, none served), an optional
 *   header-match phase (only requests carrying a header reach the canary), then weighted steps;
 * - `blueGreen`: a preview (shadow phase, or smoke requests routed by a header), then all traffic at
 *   once, with the previous version kept loaded for a rollback window.
 * Approvals, pause/resume and abort arrive as Updates; rollback is a compensation (non-cancellable):
 * all traffic back to stable, every replica applied, verified by inference.
 * Deterministic: `@temporalio/workflow` and sdk types only.
 */
import { CancellationScope, condition, isCancellation, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { abortUpdate, approveUpdate, pauseUpdate, resumeUpdate, type ControlRequest } from '../sdk/definitions';
import { SEARCH_ATTRIBUTES } from '../sdk/names';
import type { Activities } from '../activities';
import { toDeploymentFailure } from './failures';
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
} from '../sdk/schemas';

/** The rollout strategies that go through steps and analysis. */
export type ProgressiveRolloutSpec = Extract<PipelineSpec['rollout'], { strategy: 'canary' | 'blueGreen' }>;

/** Routing a step asks for, relative to stable and the new version. */
interface StepRouting {
  /** Share of traffic the new version serves (the rest: stable, which stays loaded even at 0). */
  weight: number;
  shadowPercent?: number;
  /** Requests with this header (and value) go to the new version. */
  match?: { header: string; value?: string };
}

/** The activities the rollout needs (bound to the CPU queue by the caller). */
export type RolloutActivities = Pick<Activities, 'applyRouting' | 'analyzeCanary' | 'verifyServing' | 'probeServing'>;

export interface CanaryResult {
  outcome: 'promoted' | 'rolledBack';
  release?: ReleaseReport;
  failure?: DeploymentFailure;
}

/** Told after every routing change and state change (for the endpoint and the UI). */
export type RolloutObserver = (change: { weight: number; generation?: number }) => void;

/** The header a blue/green smoke test uses to reach the version under preview. */
export const PREVIEW_HEADER = 'x-modelship-preview';

/** Thrown inside the rollout to stop it and roll back. */
class RollBack extends Error {
  constructor(readonly failure: DeploymentFailure) {
    super(failure.message);
  }
}

export async function canaryRollout(
  spec: PipelineSpec & { rollout: ProgressiveRolloutSpec },
  status: DeploymentStatus,
  stable: RoutedVersion,
  artifact: ModelArtifact,
  activities: RolloutActivities,
  updatedBy: string,
  observe: RolloutObserver = () => undefined,
): Promise<CanaryResult> {
  const rollout = spec.rollout;
  const state: RolloutState = { strategy: rollout.strategy, state: 'starting', stableVersion: stable.version, weight: 0, steps: plannedSteps(rollout) };
  status.rollout = state;

  let abortRequest: ControlRequest | undefined;
  let approval: ControlRequest | undefined;
  let paused = false;
  const active = (): boolean => !['promoting', 'rolling-back', 'done'].includes(state.state);
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
    { validator: (_request: ControlRequest) => void ((['baking', 'rollback-window'].includes(state.state) && !paused) || reject(`only a baking step can be paused (the rollout is ${state.state})`)) },
  );
  setHandler(
    resumeUpdate,
    (_request: ControlRequest) => {
      paused = false;
      return `resumed at ${state.weight}%`;
    },
    { validator: (_request: ControlRequest) => void (paused || reject('the rollout is not paused')) },
  );

  const stableRoute = { version: stable.version, digest: stable.digest, serving: stable.serving };
  const newRoute = { version: spec.version, digest: artifact.digest, serving: spec.serving };
  async function route(step: StepRouting): Promise<ReleaseReport> {
    const keepBoth = step.weight > 0 || step.match !== undefined;
    const release = await activities.applyRouting({
      endpoint: spec.endpoint,
      desired: {
        versions: keepBoth ? [{ ...stableRoute, weight: 100 - step.weight }, { ...newRoute, weight: step.weight }] : [{ ...stableRoute, weight: 100 }],
        ...(step.shadowPercent ? { shadow: { ...newRoute, percent: step.shadowPercent } } : {}),
        ...(step.match ? { match: { ...step.match, version: spec.version } } : {}),
      },
      timeoutMs: rollout.timeout,
      minReplicas: rollout.minReplicas,
      updatedBy,
    });
    state.weight = step.weight;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.canaryWeight, value: step.weight }]);
    observe({ weight: step.weight, generation: release.generation });
    return release;
  }

  const checkAbort = (): void => {
    if (abortRequest) {
      throw new RollBack({ type: 'RolloutAborted', stage: 'release', message: `aborted${abortRequest.by ? ` by ${abortRequest.by}` : ''}: ${abortRequest.reason ?? 'no reason given'}` });
    }
  };

  /** Waits `ms` of un-paused time; an abort interrupts it. */
  async function bake(ms: number, running: RolloutState['state'] = 'baking'): Promise<void> {
    let remaining = ms;
    while (remaining > 0) {
      setState(paused ? 'paused' : running);
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

  function setState(next: RolloutState['state']): void {
    if (state.state === next) return;
    state.state = next;
    observe({ weight: state.weight });
  }

  async function judge(step: RolloutStep, since: number, versions: { canaryVersion?: string; shadowVersion?: string }, bakeMs: number): Promise<void> {
    for (let extension = 0; ; extension++) {
      setState('analyzing');
      step.verdict = await activities.analyzeCanary({ endpoint: spec.endpoint, stableVersion: stable.version, since, config: rollout.analysis, ...versions });
      observe({ weight: state.weight });
      if (step.verdict.status === 'inconclusive' && extension < rollout.maxBakeExtensions) {
        step.note = `inconclusive (${step.verdict.checks[0]?.detail}); baking ${extension + 1} more time(s)`;
        await bake(bakeMs);
        continue;
      }
      break;
    }
    if (step.verdict.status !== 'pass') fail(step, step.verdict);
  }

  /** Acts on a failed or inconclusive verdict: rolls back, or (dry run) only records it. */
  function fail(step: RolloutStep, verdict: AnalysisVerdict): void {
    const failed = verdict.checks.filter((c) => c.status !== 'pass');
    const message =
      verdict.status === 'inconclusive'
        ? `no verdict on ${describeStep(step)}${step.kind === 'switch' ? ' by the end of the rollback window' : ` after ${rollout.maxBakeExtensions + 1} bake(s)`}: ${failed.map((c) => c.detail).join('; ')}`
        : `${describeStep(step)} failed analysis: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`;
    if (step.dryRun) {
      step.note = `dry run, not acted on: ${message}`;
      return;
    }
    throw new RollBack({ type: verdict.status === 'inconclusive' ? 'AnalysisInconclusive' : 'CanaryRegressed', stage: 'release', message });
  }

  /** A pause that arrived as a bake ended holds the rollout before its next traffic change. */
  async function holdWhilePaused(): Promise<void> {
    if (!paused) return;
    setState('paused');
    await condition(() => !paused || abortRequest !== undefined);
    checkAbort();
  }

  /** Runs one planned step: marks it running, then passed when `body` returns. */
  let next = 0;
  async function step(body: (step: RolloutStep) => Promise<void>): Promise<void> {
    const current = state.steps[next++] as RolloutStep;
    await holdWhilePaused();
    checkAbort();
    current.status = 'running';
    current.startedAt = new Date().toISOString();
    observe({ weight: state.weight });
    await body(current);
    current.status = 'passed';
    current.finishedAt = new Date().toISOString();
    observe({ weight: state.weight });
  }

  const shadowPhase = async (config: { percent: number; bake: number }) =>
    step(async (current) => {
      const applied = await route({ weight: 0, shadowPercent: config.percent });
      await bake(config.bake);
      await judge(current, applied.appliedAt ?? Date.now(), { shadowVersion: spec.version }, config.bake);
    });

  try {
    if (rollout.strategy === 'canary') {
      if (rollout.shadow) await shadowPhase(rollout.shadow);
      const headerMatch = rollout.headerMatch;
      if (headerMatch) {
        await step(async (current) => {
          const applied = await route({ weight: 0, match: { header: headerMatch.header, value: headerMatch.value } });
          await bake(headerMatch.bake);
          if (headerMatch.analysis) await judge(current, applied.appliedAt ?? Date.now(), { canaryVersion: spec.version }, headerMatch.bake);
        });
      }
      for (const config of rollout.steps) {
        await step(async (current) => {
          const applied = await route({ weight: config.weight });
          await bake(config.bake);
          if (config.analysis) await judge(current, applied.appliedAt ?? Date.now(), { canaryVersion: spec.version }, config.bake);
          if (config.approval) {
            setState('awaiting-approval');
            const answered = await condition(() => approval !== undefined || abortRequest !== undefined, config.approval.timeout);
            checkAbort();
            if (!answered && config.approval.onTimeout === 'rollback') {
              throw new RollBack({ type: 'ApprovalTimedOut', stage: 'release', message: `no approval at ${config.weight}% within ${config.approval.timeout} ms` });
            }
            current.approvedBy = approval ? `${approval.by ?? 'someone'}${approval.reason ? `: ${approval.reason}` : ''}` : 'timeout (proceed)';
            approval = undefined;
          }
        });
      }
    } else {
      const preview = rollout.preview;
      if (preview.mode === 'shadow') await shadowPhase(preview);
      else {
        await step(async (current) => {
          await route({ weight: 0, match: { header: PREVIEW_HEADER, value: spec.version } });
          const probe = await activities.probeServing({ endpoint: spec.endpoint, version: spec.version, requestsPerReplica: preview.requestsPerReplica, headers: { [PREVIEW_HEADER]: spec.version } });
          const wrong = Object.entries(probe.versions).filter(([served]) => served !== spec.version);
          current.note = `${probe.requests} smoke request(s) on ${probe.replicas} replica(s): ${JSON.stringify(probe.versions)}`;
          if (probe.requests === 0 || wrong.length > 0) {
            throw new RollBack({ type: 'SmokeTestFailed', stage: 'release', message: `smoke test of ${spec.version} failed: ${probe.requests === 0 ? 'no live replica answered' : current.note}` });
          }
        });
      }
      await step(async (current) => {
        // Everything switches; the previous version stays loaded (weight 0) for the rollback window,
        // while green is judged against blue's traffic over the same length before the switch.
        const switchedAt = (await route({ weight: 100 })).appliedAt ?? Date.now();
        const baseline = { since: switchedAt - rollout.rollbackWindow, until: switchedAt };
        for (let remaining = rollout.rollbackWindow; remaining > 0; ) {
          const slice = Math.min(rollout.analysisInterval, remaining);
          await bake(slice, 'rollback-window');
          remaining -= slice;
          current.verdict = await activities.analyzeCanary({ endpoint: spec.endpoint, stableVersion: stable.version, canaryVersion: spec.version, since: switchedAt, baseline, config: rollout.analysis });
          observe({ weight: state.weight });
          if (current.verdict.status === 'fail' || (remaining <= 0 && current.verdict.status === 'inconclusive')) fail(current, current.verdict);
        }
      });
    }
    await holdWhilePaused();
    checkAbort();
    setState('promoting');
    // The promoted version takes all traffic, alone in the routing document: the previous stable is unloaded.
    const promoted = await activities.applyRouting({
      endpoint: spec.endpoint,
      desired: { versions: [{ ...newRoute, weight: 100 }] },
      timeoutMs: rollout.timeout,
      minReplicas: rollout.minReplicas,
      updatedBy,
    });
    state.weight = 100;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.canaryWeight, value: 100 }]);
    setState('done');
    observe({ weight: 100, generation: promoted.generation });
    return { outcome: 'promoted', release: promoted };
  } catch (error) {
    const failure: DeploymentFailure =
      error instanceof RollBack
        ? error.failure
        : isCancellation(error)
          ? { type: 'RolloutAborted', stage: 'release', message: 'the deployment workflow was cancelled' }
          : toDeploymentFailure('release', error);
    for (const s of state.steps) if (s.status === 'running') s.status = 'failed';
    for (const s of state.steps) if (s.status === 'pending') s.status = 'skipped';
    await CancellationScope.nonCancellable(async () => {
      const decided = Date.now();
      setState('rolling-back');
      const back = await route({ weight: 0 });
      let verified: Record<string, number>;
      try {
        verified = (await activities.verifyServing({ endpoint: spec.endpoint, version: stable.version })).versions;
      } catch (error) {
        // Traffic is back on stable by the routing; the check could not prove it. Say so, keep the reason.
        verified = {};
        failure.message += ` (rollback applied, NOT verified: ${toDeploymentFailure('release', error).message})`;
      }
      state.rollback = { reason: `${failure.type}: ${failure.message}`, generation: back.generation, verified, tookMs: Date.now() - decided };
      setState('done');
    });
    return { outcome: 'rolledBack', failure };
  }
}

/** The steps a rollout will go through, all pending. */
function plannedSteps(rollout: ProgressiveRolloutSpec): RolloutStep[] {
  const pending = { status: 'pending' as const, dryRun: false };
  if (rollout.strategy === 'blueGreen') {
    const preview = rollout.preview;
    return [
      preview.mode === 'shadow' ? { kind: 'shadow' as const, weight: preview.percent, ...pending } : { kind: 'smoke' as const, weight: 0, ...pending },
      { kind: 'switch' as const, weight: 100, ...pending },
    ];
  }
  return [
    ...(rollout.shadow ? [{ kind: 'shadow' as const, weight: rollout.shadow.percent, ...pending }] : []),
    ...(rollout.headerMatch ? [{ kind: 'match' as const, weight: 0, ...pending }] : []),
    ...rollout.steps.map((s) => ({ kind: 'canary' as const, weight: s.weight, status: 'pending' as const, dryRun: s.dryRun })),
  ];
}

/** How a step reads in verdicts and progress lines. */
export function describeStep(step: Pick<RolloutStep, 'kind' | 'weight'>): string {
  switch (step.kind) {
    case 'shadow':
      return `shadow of ${step.weight}%`;
    case 'match':
      return 'header-matched canary';
    case 'smoke':
      return 'smoke test';
    case 'switch':
      return 'switch to 100%';
    case 'canary':
      return `canary at ${step.weight}%`;
  }
}

function reject(message: string): never {
  throw new Error(message);
}
