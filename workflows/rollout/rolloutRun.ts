/**
 * One progressive rollout in progress: its state, the routing it asks for at each step, the step
 * runner, and the judge that turns analysis verdicts into "go on" or a rollback. The strategies
 * (`canary.ts`, `blueGreen.ts`) are written in these terms.
 * Deterministic: `@temporalio/workflow` and sdk types only.
 */
import { patched, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { SEARCH_ATTRIBUTES } from '../../sdk/names';
import type { AnalysisConfig, AnalysisVerdict, DeploymentStatus, PipelineSpec, ReleaseReport, RolloutState, RolloutStep } from '../../sdk/schemas';
import { RolloutControls } from './controls';
import { rollBack } from './rollBack';
import type { StableTarget } from './returnToStable';
import { ALPHA_PER_ROLLOUT, plannedAnalyses } from './plannedAnalyses';
import { describeStep, plannedSteps } from './steps';
import { isWatchedSwitch, POST_PROMOTION_WATCH, watchPlanOf, type WatchPlan } from './watchPlan';

/** The rollout strategies that go through steps and analysis. */
export type ProgressiveRolloutSpec = Extract<PipelineSpec['rollout'], { strategy: 'canary' | 'blueGreen' }>;

/** The activities a rollout needs (bound to the CPU queue by the caller). */
export type RolloutActivities = Pick<Activities, 'applyRouting' | 'analyzeCanary' | 'verifyServing' | 'probeServing'>;

/** Told after every routing change and state change (for the endpoint and the UI). */
export type RolloutObserver = (change: { weight: number; generation?: number }) => void;

/** Routing a step asks for, relative to stable and the new version. */
export interface StepRouting {
  /** Share of traffic the new version serves (the rest: stable, which stays loaded even at 0). */
  weight: number;
  shadowPercent?: number;
  /** Requests with this header (and value) go to the new version. */
  match?: { header: string; value?: string };
}

export class RolloutRun {
  readonly rollout: ProgressiveRolloutSpec;
  readonly state: RolloutState;
  readonly controls: RolloutControls;
  /** The watch after the last traffic change, if the rollout has one. */
  readonly watch: WatchPlan | undefined;
  /** The watch records its state and judges against the first interval too (runs from before the patch: blue/green's plain rollback window only). */
  readonly watchRecorded: boolean;
  /** The windows the rollout plans to judge, sharing each significance level (undefined in runs from before: each window at the full level). */
  readonly analyses: number | undefined;
  private nextStep = 0;

  constructor(
    readonly spec: PipelineSpec & { rollout: ProgressiveRolloutSpec },
    status: DeploymentStatus,
    readonly stable: StableTarget,
    /** The new version's route: its artifact digest and serving config. */
    readonly candidate: StableTarget,
    readonly activities: RolloutActivities,
    readonly updatedBy: string,
    readonly observe: RolloutObserver,
  ) {
    this.rollout = spec.rollout;
    const plan = watchPlanOf(spec.rollout);
    this.watchRecorded = plan !== undefined && patched(POST_PROMOTION_WATCH);
    // Before the patch only blue/green watched (its rollback window).
    this.watch = plan && (this.watchRecorded || spec.rollout.strategy === 'blueGreen') ? plan : undefined;
    this.analyses = patched(ALPHA_PER_ROLLOUT) ? plannedAnalyses(spec.rollout, this.watch, this.watchRecorded) : undefined;
    const steps = plannedSteps(spec.rollout, this.watch !== undefined);
    const strategy = isWatchedSwitch(spec.rollout) ? 'direct' : spec.rollout.strategy;
    this.state = { strategy, state: 'starting', stableVersion: stable.version, weight: 0, steps };
    status.rollout = this.state;
    this.controls = new RolloutControls(this.state, (next) => this.setState(next), spec.version);
  }

  setState(next: RolloutState['state']): void {
    if (this.state.state === next) return;
    this.state.state = next;
    this.observe({ weight: this.state.weight });
  }

  /** Writes the routing a step asks for and waits until every replica applies it. */
  async route(step: StepRouting): Promise<ReleaseReport> {
    const keepBoth = step.weight > 0 || step.match !== undefined;
    const stable = { ...this.stable, weight: 100 - (keepBoth ? step.weight : 0) };
    const release = await this.activities.applyRouting({
      endpoint: this.spec.endpoint,
      desired: {
        versions: keepBoth ? [stable, { ...this.candidate, weight: step.weight }] : [stable],
        ...(step.shadowPercent ? { shadow: { ...this.candidate, percent: step.shadowPercent } } : {}),
        ...(step.match ? { match: { ...step.match, version: this.spec.version } } : {}),
      },
      timeoutMs: this.rollout.timeout,
      minReplicas: this.rollout.minReplicas,
      updatedBy: this.updatedBy,
    });
    const current = this.state.steps[this.nextStep - 1];
    if (current?.status === 'running')
      this.noteStale(
        current,
        release.staleReplicas?.map((r) => r.replicaId),
      );
    this.setWeight(step.weight, release.generation);
    return release;
  }

  /** Adds replicas found stale (when its routing was applied, or when its window was collected) to the step's list. */
  private noteStale(step: RolloutStep, stale: string[] | undefined): void {
    const added = (stale ?? []).filter((id) => !step.staleReplicas?.includes(id));
    if (added.length) step.staleReplicas = [...(step.staleReplicas ?? []), ...added];
  }

  /** Records the new version's share of traffic (state and search attribute), then tells observers. */
  setWeight(weight: number, generation: number): void {
    this.markWeight(weight);
    this.observe({ weight, generation });
  }

  /** Records the new version's share of traffic without telling observers yet. */
  markWeight(weight: number): void {
    this.state.weight = weight;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.canaryWeight, value: weight }]);
  }

  /** Runs the next planned step: marks it running, then passed when `body` returns. */
  async step(body: (step: RolloutStep) => Promise<void>): Promise<void> {
    const current = this.state.steps[this.nextStep++] as RolloutStep;
    await this.controls.holdWhilePaused();
    current.status = 'running';
    current.startedAt = new Date().toISOString();
    this.observe({ weight: this.state.weight });
    await body(current);
    current.status = 'passed';
    current.finishedAt = new Date().toISOString();
    this.observe({ weight: this.state.weight });
  }

  /** Analyses the step against stable; an inconclusive verdict bakes again, up to the spec's extensions. */
  async judge(step: RolloutStep, since: number, versions: { canaryVersion?: string; shadowVersion?: string }, bakeMs: number): Promise<void> {
    for (let extension = 0; ; extension++) {
      this.setState('analyzing');
      step.verdict = await this.analyze({ since, ...versions });
      if (step.verdict.status === 'inconclusive' && extension < this.rollout.maxBakeExtensions) {
        const left = this.rollout.maxBakeExtensions - extension - 1;
        step.note = `inconclusive (${step.verdict.checks[0]?.detail}); baking again (${left > 0 ? `${left} more extension(s) allowed` : 'last extension'})`;
        await this.controls.bake(bakeMs);
        continue;
      }
      // A note about an earlier inconclusive bake would be stale now: say how the step was decided.
      if (extension > 0) step.note = `${step.verdict.status} after ${extension} extra bake(s)`;
      break;
    }
    if (step.verdict.status !== 'pass') this.fail(step, step.verdict);
  }

  /** One analysis of the new version against stable (or against `baseline`, stable's traffic over another window). */
  async analyze(window: {
    since: number;
    /** The version judged against (default: stable); the watch judges the new version against its own first interval. */
    stableVersion?: string;
    /** Thresholds (default: the rollout's analysis). */
    config?: AnalysisConfig;
    canaryVersion?: string;
    shadowVersion?: string;
    baseline?: { since: number; until: number };
  }): Promise<AnalysisVerdict> {
    const verdict = await this.activities.analyzeCanary({
      endpoint: this.spec.endpoint,
      stableVersion: this.stable.version,
      config: this.rollout.analysis,
      minReplicas: this.rollout.minReplicas,
      ...(this.analyses !== undefined ? { analyses: this.analyses } : {}),
      ...window,
    });
    const current = this.state.steps[this.nextStep - 1];
    if (current?.status === 'running') this.noteStale(current, verdict.staleReplicas);
    this.observe({ weight: this.state.weight });
    return verdict;
  }

  /** Acts on a failed or inconclusive verdict: rolls back, or (dry run) only records it. */
  fail(step: RolloutStep, verdict: AnalysisVerdict): void {
    const failed = verdict.checks.filter((c) => c.status !== 'pass');
    const message =
      verdict.status === 'inconclusive'
        ? `no verdict on ${describeStep(step)}${step.kind === 'switch' ? ` by the end of the ${this.rollout.strategy === 'blueGreen' ? 'rollback window' : 'watch'}` : ` after ${this.rollout.maxBakeExtensions + 1} bake(s)`}: ${failed.map((c) => c.detail).join('; ')}`
        : `${describeStep(step)} failed analysis: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`;
    if (step.dryRun) {
      step.note = `dry run, not acted on: ${message}`;
      return;
    }
    throw rollBack(verdict.status === 'inconclusive' ? 'AnalysisInconclusive' : 'CanaryRegressed', message);
  }

  /** A shadow phase: mirrored traffic to the new version for a bake, then judged on agreement. */
  shadowPhase(config: { percent: number; bake: number }): Promise<void> {
    return this.step(async (current) => {
      const applied = await this.route({ weight: 0, shadowPercent: config.percent });
      await this.controls.bake(config.bake);
      await this.judge(current, applied.appliedAt ?? Date.now(), { shadowVersion: this.spec.version }, config.bake);
    });
  }
}
