/**
 * The spec's `monitoring` settings: drift monitoring of what an endpoint serves (`monitoring.drift`),
 * checked on a Temporal Schedule (`drift/<endpoint>`) against a baseline of the promoted version's
 * first captured window. Pure zod.
 */
import { z } from 'zod';
import { duration } from './common';
import type { NotificationsConfig } from './notification';

/** When a drift check raises an alert. A shift counts only when its chi-square test is significant too (PSI alone is biased on small samples). */
export const driftThresholds = z.strictObject({
  /** An input feature drifted when its population stability index against the baseline exceeds this (0.1 some shift, 0.25 a large one). */
  featurePsi: z.number().positive().default(0.25),
  /** The predictions drifted when the PSI of any output (a score column, or the labels) exceeds this. */
  predictionPsi: z.number().positive().default(0.25),
  /** The significance a PSI above its threshold must also reach (chi-square test of homogeneity on the same buckets). */
  pValue: z.number().positive().max(1).default(0.01),
  /** Alert when the window's share of non-finite values (NaN, ±Inf in inputs or outputs) exceeds the baseline's by more than this. */
  nonFiniteRate: z.number().min(0).max(1).default(0.01),
  /** Fewer captured rows than this in the window (or the baseline) judge nothing: the check is recorded as `insufficient`. */
  minSamples: z.number().int().min(1).default(100),
});
export type DriftThresholds = z.output<typeof driftThresholds>;

export const driftMonitoring = z.strictObject({
  /** How often the schedule checks the endpoint. */
  every: duration.prefault('1h'),
  /** How far back a check reads captured traffic (never further back than the previous check's window). */
  window: duration.prefault('1h'),
  /** The most captured rows a check (and the baseline) reads, newest first. */
  maxRows: z.number().int().min(1).max(100_000).default(2000),
  /** When a check raises an alert. */
  thresholds: driftThresholds.prefault({}),
  /** What an alert does: record it (`alert`), or also roll the endpoint back to its previous version (`rollback`, through its `rollback` Update). */
  onAlert: z.enum(['alert', 'rollback']).default('alert'),
});
export type DriftMonitoring = z.output<typeof driftMonitoring>;
export type DriftMonitoringInput = z.input<typeof driftMonitoring>;

/** What is watched after a version is promoted. */
export const monitoring = z.strictObject({
  /**
   * Drift of what the endpoint serves: a baseline from the first captured window after promotion
   * (the gateways' data capture must be on), then on a schedule each new window's input features,
   * predictions and non-finite rates against it. Promotion creates or updates the schedule.
   */
  drift: driftMonitoring.optional(),
});

/** The input of a `driftCheck` workflow run (what the endpoint's schedule starts it with). */
export interface DriftCheckRequest {
  endpoint: string;
  drift: DriftMonitoring;
  /** The webhooks of the spec that promoted the version (its `notifications`): an alert is sent to them besides the workers' own. */
  notifications?: NotificationsConfig;
}
