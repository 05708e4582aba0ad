/**
 * The post-promotion watch a rollout asks for, read from its spec (blue/green's `rollbackWindow` and
 * `analysisInterval` stand for `watch` when it is not given), and the intervals it is judged at. Pure.
 */
import type { AnalysisConfig, PipelineSpec, WatchInconclusiveAction } from '../../sdk/schemas';

/** Patch id: the watch records its state, judges the new version against its own first interval too, and runs for every strategy (before: blue/green's rollback window only). */
export const POST_PROMOTION_WATCH = 'post-promotion-watch';

/** Patch id: a watch that ends without a verdict does what its `onInconclusive` says (before: it always rolled back). */
export const WATCH_ON_INCONCLUSIVE = 'watch-on-inconclusive';

/** The canary's default watch (`DEFAULT_CANARY_WATCH` of the spec schema), in milliseconds. */
const DEFAULT_CANARY_WATCH_MS = { duration: 120_000, interval: 30_000 } as const;

/** A watch to run: its length, how often it judges, by which thresholds, and what a watch without a verdict does. */
export interface WatchPlan {
  durationMs: number;
  intervalMs: number;
  checks: AnalysisConfig;
  onInconclusive: WatchInconclusiveAction;
}

/** The watch `rollout` asks for; undefined when it has none (a direct release without `watch`, a duration of 0, a spec from before the watch). */
export function watchPlanOf(rollout: PipelineSpec['rollout']): WatchPlan | undefined {
  const plan = planOf(rollout);
  return plan && plan.durationMs > 0 ? plan : undefined;
}

function planOf(rollout: PipelineSpec['rollout']): WatchPlan | undefined {
  switch (rollout.strategy) {
    case 'direct':
      return rollout.watch && { ...lengthsOf(rollout.watch), checks: rollout.watch.checks, onInconclusive: rollout.watch.onInconclusive ?? 'promote' };
    case 'canary': {
      // No analysed step: nothing to judge a default watch by either (an explicit `watch` still applies).
      if (!rollout.watch && rollout.steps.every((s) => !s.analysis)) return undefined;
      const watch = rollout.watch ?? DEFAULT_CANARY_WATCH_MS;
      return { ...lengthsOf(watch), checks: rollout.watch?.checks ?? rollout.analysis, onInconclusive: rollout.watch?.onInconclusive ?? 'promote' };
    }
    case 'blueGreen': {
      const watch = rollout.watch ?? { duration: rollout.rollbackWindow, interval: rollout.analysisInterval };
      return { ...lengthsOf(watch), checks: rollout.watch?.checks ?? rollout.analysis, onInconclusive: rollout.watch?.onInconclusive ?? 'rollback' };
    }
  }
}

function lengthsOf(watch: { duration: number; interval: number }): Pick<WatchPlan, 'durationMs' | 'intervalMs'> {
  return { durationMs: watch.duration, intervalMs: watch.interval };
}

/**
 * The lengths of the watch's intervals, in order: `intervalMs` each, the last one shorter when it
 * does not divide `durationMs` (an interval of 0 judges once, at the end).
 */
export function watchIntervals(durationMs: number, intervalMs: number): number[] {
  const every = intervalMs > 0 ? intervalMs : durationMs;
  const slices: number[] = [];
  for (let remaining = durationMs; remaining > 0; remaining -= Math.min(every, remaining)) slices.push(Math.min(every, remaining));
  return slices;
}

type DirectRollout = Extract<PipelineSpec['rollout'], { strategy: 'direct' }>;
type CanaryRollout = Extract<PipelineSpec['rollout'], { strategy: 'canary' }>;

/**
 * A direct release with a watch, as the rollout that runs it: a canary without steps (no parsed spec
 * has one), whose watch switches all traffic at once with the previous version kept loaded. Undefined
 * when the release has no watch.
 */
export function watchedSwitch(rollout: DirectRollout): CanaryRollout | undefined {
  const watch = rollout.watch;
  if (!watch || watch.duration <= 0) return undefined;
  return { strategy: 'canary', steps: [], analysis: watch.checks, maxBakeExtensions: 0, timeout: rollout.timeout, minReplicas: rollout.minReplicas, watch };
}

/** Whether a progressive rollout is a direct release's watch ({@link watchedSwitch}). */
export function isWatchedSwitch(rollout: PipelineSpec['rollout']): boolean {
  return rollout.strategy === 'canary' && rollout.steps.length === 0;
}
