/**
 * The documents drift monitoring keeps in the store: an endpoint's baseline
 * (`endpoints/<name>/drift/baseline.json`) and one result per check
 * (`endpoints/<name>/drift/checks/<ISO time>.json`). Pure zod.
 */
import { z } from 'zod';
import { versionName } from './common';

/** Summary statistics of one feature's values in a window (non-finite values left out of them, counted apart). */
export const featureSummary = z.object({
  /** Finite values summarized. */
  count: z.number().int().nonnegative(),
  mean: z.number(),
  std: z.number(),
  /** The 5th, 25th, 50th, 75th and 95th percentiles. */
  quantiles: z.object({ p05: z.number(), p25: z.number(), p50: z.number(), p75: z.number(), p95: z.number() }),
  /** NaN and ±Inf values seen. */
  nonFinite: z.number().int().nonnegative(),
});
export type FeatureSummary = z.infer<typeof featureSummary>;

/** What a feature is: a column of a model input (`features[2]`), or of an output (a score column, the labels). */
export const featureKind = z.enum(['input', 'output']);

/** The baseline drift checks compare with: the promoted version's first captured window. */
export const driftBaseline = z.object({
  endpoint: z.string(),
  /** The version whose traffic it holds; a check of another version builds a new baseline first. */
  version: versionName,
  createdAt: z.string(),
  /** Rows it summarizes, and when the newest of them was captured (ms since the epoch). */
  rows: z.number().int().nonnegative(),
  windowEndMs: z.number(),
  /** Share of non-finite values among the inputs' and outputs' elements. */
  nonFiniteRate: z.number(),
  /** Per feature: its summary and a thinned sample of its finite values (what PSI is computed against). */
  features: z.array(z.object({ name: z.string(), kind: featureKind, summary: featureSummary, sample: z.array(z.number()) })),
});
export type DriftBaseline = z.infer<typeof driftBaseline>;

/** `baseline`: this check built the baseline; `insufficient`: too few rows to judge; `alert`: a threshold was crossed. */
export const driftVerdict = z.enum(['ok', 'alert', 'insufficient', 'baseline']);
export type DriftVerdict = z.infer<typeof driftVerdict>;

/** One feature of one check, against the baseline. */
export const featureDrift = z.object({
  name: z.string(),
  kind: featureKind,
  /** Population stability index of the window against the baseline (smoothed buckets), and the chi-square test's p-value on them. */
  psi: z.number(),
  pValue: z.number(),
  /** Above its PSI threshold and significant. */
  drifted: z.boolean(),
  window: featureSummary,
});
export type FeatureDrift = z.infer<typeof featureDrift>;

/** The result of one drift check. */
export const driftCheckResult = z.object({
  endpoint: z.string(),
  /** The version serving (its traffic was checked). */
  version: versionName,
  /** When the check ran (ISO 8601): also the name of its document. */
  at: z.string(),
  verdict: driftVerdict,
  /** Why: each threshold crossed, or why nothing was judged. */
  reasons: z.array(z.string()),
  /** Rows in the window, and when its newest one was captured (the next window starts after it). */
  rows: z.number().int().nonnegative(),
  windowEndMs: z.number(),
  baselineRows: z.number().int().nonnegative(),
  features: z.array(featureDrift),
  /** The input feature with the largest PSI, and the largest PSI among outputs (predictions, scores). */
  worstFeature: z.object({ name: z.string(), psi: z.number() }).optional(),
  predictionPsi: z.number().optional(),
  nonFiniteRate: z.number(),
  baselineNonFiniteRate: z.number(),
  /** What the alert led to: the rollback's outcome, or why it was refused (`onAlert: rollback`). */
  outcome: z.string().optional(),
});
export type DriftCheckResult = z.infer<typeof driftCheckResult>;
