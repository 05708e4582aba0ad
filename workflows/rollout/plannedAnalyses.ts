/**
 * How many windows a rollout plans to judge the new version on: each analysed canary step (and the
 * header-matched step), each interval of the watch against the previous version, and each later
 * interval against the first. They share the analysis' significance levels (Bonferroni): a good model
 * judged at `alpha` on every one of a canary's ~9 windows (2 steps, a 2-minute watch of 30-second
 * intervals) failed some check in up to ~9 × alpha of rollouts. Shadow and smoke phases test no
 * p-values: they do not count. Nor do bake extensions, which follow an inconclusive window: mostly one
 * with too few samples to test, but when it was inconclusive for another reason (too few replicas, a
 * Prometheus check without data) its tests ran, and the extension tests the grown window again, beyond
 * the plan. Pure.
 */
import type { PipelineSpec } from '../../sdk/schemas';
import { watchIntervals, type WatchPlan } from './watchPlan';

/** Patch id: each significance level is the rollout's, spread over its planned analyses (before: every window at the full level). */
export const ALPHA_PER_ROLLOUT = 'analysis-alpha-per-rollout';

type ProgressiveRollout = Extract<PipelineSpec['rollout'], { strategy: 'canary' | 'blueGreen' }>;

/** The windows `rollout` plans to judge, with `watch` (undefined: none) judged against its first interval too when `againstFirst`; at least 1. */
export function plannedAnalyses(rollout: ProgressiveRollout, watch: WatchPlan | undefined, againstFirst: boolean): number {
  const steps = rollout.strategy === 'canary' ? rollout.steps.filter((s) => s.analysis).length + (rollout.headerMatch?.analysis ? 1 : 0) : 0;
  const intervals = watch ? watchIntervals(watch.durationMs, watch.intervalMs).length : 0;
  return Math.max(1, steps + intervals + (againstFirst ? Math.max(0, intervals - 1) : 0));
}
