/**
 * The post-promotion watch: its settings in a rollout spec (`rollout.watch`), and what it records in
 * a deployment's status and in its endpoint's state. After the last traffic change the previous
 * version stays loaded at weight 0 for `duration`; every `interval` the new version is judged against
 * the previous version's traffic over the same length before the switch, and against its own first
 * interval; a failure (or an operator's `modelship rollback`) returns all traffic to the previous
 * version. Pure zod.
 */
import { z } from 'zod';
import { analysisConfig, analysisVerdict } from './analysis';
import { duration } from './common';

/**
 * The watch a canary gets when its spec says nothing: two minutes, judged every 30 s (four verdicts,
 * enough to catch a version that degrades once it takes all traffic, short enough for CI), unless none
 * of its steps is analysed (`analysis: false` on every step: nothing to judge the watch by either).
 * Blue/green's default is its `rollbackWindow` (5 m); a direct release has no watch unless its spec
 * asks for one.
 */
export const DEFAULT_CANARY_WATCH = { duration: '2m', interval: '30s' } as const;

/** What a watch that ends without a verdict against the previous version (too little traffic) does. */
export const WATCH_INCONCLUSIVE_ACTIONS = ['promote', 'rollback'] as const;
export type WatchInconclusiveAction = (typeof WATCH_INCONCLUSIVE_ACTIONS)[number];

const watchFields = {
  /** How long the previous version stays loaded (weight 0) after the last traffic change while the new one is judged; 0: no watch (the previous version is unloaded at once). */
  duration: duration.prefault(DEFAULT_CANARY_WATCH.duration),
  /**
   * The new version is judged this often: against the previous version's traffic over `duration` before
   * the switch (it serves nothing now), and, from the second interval on, against its own first
   * interval (a degradation after promotion). A failure returns all traffic to the previous version at
   * once; a watch that ends without a verdict against the previous version does what `onInconclusive` says.
   */
  interval: duration.prefault(DEFAULT_CANARY_WATCH.interval),
  /**
   * A watch that ends without a verdict against the previous version (fewer than `minSamples` requests
   * since the switch): `promote` keeps the new version (it already passed its canary; the status says
   * "watch inconclusive: N samples, promoted"), `rollback` returns all traffic to the previous version
   * (`AnalysisInconclusive`). Default: `promote` for canary and direct, `rollback` for blue/green (its
   * window is its only judgement).
   */
  onInconclusive: z.enum(WATCH_INCONCLUSIVE_ACTIONS).optional(),
};

/** The watch of a canary or blue/green rollout (their `analysis` is the default for `checks`). */
export const watchConfig = z.strictObject({
  ...watchFields,
  /** Thresholds the watch judges by (minimum samples, error rate, latency, prediction shift, PromQL checks); default: the rollout's `analysis`. */
  checks: analysisConfig.optional(),
});
export type WatchConfig = z.output<typeof watchConfig>;

/** The watch of a direct release (it has no `analysis` of its own to default to). */
export const directWatchConfig = z.strictObject({
  ...watchFields,
  /** Thresholds the watch judges by (minimum samples, error rate, latency, prediction shift, PromQL checks). */
  checks: analysisConfig.prefault({}),
});

/** One interval of a watch, judged. */
export const watchInterval = z.object({
  /** When it was judged (ISO time). */
  at: z.string(),
  /** The new version against the previous version's traffic before the switch. */
  vsPrevious: analysisVerdict,
  /** The new version now against its own first interval (absent for the first interval). */
  vsFirst: analysisVerdict.optional(),
});
export type WatchInterval = z.infer<typeof watchInterval>;

/** Where a watch is, as a deployment's status shows it (`status.rollout.watch`). */
export const watchState = z.object({
  phase: z.enum(['watching', 'passed', 'failed']),
  /** The switch (ISO time): the watch judges traffic from here. */
  since: z.string(),
  /** When the watch ends if nothing fails (ISO time); a pause moves it later. */
  until: z.string(),
  /** Its settings, in milliseconds. */
  durationMs: z.number(),
  intervalMs: z.number(),
  /** The version kept loaded at weight 0, that a failure returns to. */
  previousVersion: z.string(),
  intervals: z.array(watchInterval),
  /** Why it failed: the failed checks with their numbers, or the operator's reason. */
  reason: z.string().optional(),
  /** How a watch that passed without a verdict ended (`onInconclusive: promote`): "watch inconclusive: N samples, promoted". */
  note: z.string().optional(),
  /** Who ended it, for an operator's rollback. */
  by: z.string().optional(),
});
export type WatchState = z.infer<typeof watchState>;

/** What the endpoint workflow knows of its deployment's watch (carried by continue-as-new). */
export const activeWatch = watchState.pick({ phase: true, since: true, until: true, previousVersion: true });
export type ActiveWatch = z.infer<typeof activeWatch>;
