/** Canary analysis: thresholds (in the pipeline spec) and verdicts (in results and the UI). Pure zod. */
import { z } from 'zod';
import { duration } from './common';

/**
 * A check against the team's own Prometheus: an instant PromQL query evaluated at the end of the
 * analysis window. Placeholders: `{{endpoint}}`, `{{canary}}` (the new version), `{{stable}}`,
 * `{{window}}` (the window's length, e.g. `45s`, for range selectors). Every returned series must
 * lie within `[min, max]`; no data is inconclusive, never a pass.
 */
export const prometheusCheck = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
    query: z.string().min(1),
    max: z.number().optional(),
    min: z.number().optional(),
  })
  .refine((check) => check.max !== undefined || check.min !== undefined, { message: 'give max, min, or both', path: ['max'] });
export type PrometheusCheck = z.output<typeof prometheusCheck>;

export const analysisConfig = z.strictObject({
  /** Requests each of canary and stable must have served in the window before any verdict. */
  minSamples: z.number().int().min(1).default(100),
  /** The canary's error rate against stable's. */
  errorRate: z
    .strictObject({
      /** Significance level of the two-proportion (or Fisher exact) test, for the whole rollout: each of its planned analyses tests at `alpha / analyses`. */
      alpha: z.number().min(0).max(1).default(0.01),
      /** Largest tolerated increase of the error rate (absolute, 0.01 = one point). */
      maxIncrease: z.number().min(0).max(1).default(0.01),
    })
    .prefault({}),
  /**
   * The canary's latency against stable's, end to end and in the model's own compute time: each
   * threshold applies to both, and the check fails only when both are slower (end to end alone when
   * the gateways measured no compute time).
   */
  latency: z
    .strictObject({
      /** Largest tolerated ratio of canary to stable median latency. */
      maxP50Ratio: z.number().min(1).default(1.2),
      /** Largest tolerated ratio of canary to stable 99th-percentile latency. */
      maxP99Ratio: z.number().min(1).default(1.5),
      /** Significance level of the Mann-Whitney U test on raw latencies, for the whole rollout: each of its planned analyses tests at `alpha / analyses`. */
      alpha: z.number().min(0).max(1).default(0.01),
      /** P(canary slower than stable) must exceed this for a regression to count (0.5 = no shift). */
      minEffect: z.number().min(0.5).max(1).default(0.6),
      /**
       * A percentile over its ratio fails only when it is also this many milliseconds slower: a
       * sub-millisecond model's canary runs in a fresh, less busy model instance and can look 20-30%
       * slower by thread wake-ups alone. 0 judges by the ratios only.
       */
      minSlowdownMs: z.number().min(0).default(0.5),
    })
    .prefault({}),
  /** The canary's answers against stable's. */
  predictions: z
    .strictObject({
      /** Population stability index of canary predictions against stable's, above which the canary fails. */
      maxPsi: z.number().min(0).default(0.25),
      /**
       * Significance level of the chi-square test of homogeneity on the same buckets: a PSI over
       * `maxPsi` fails the canary only when the test also finds the shift significant (PSI alone is
       * biased upwards at small sample counts). For the whole rollout: each of its planned analyses
       * (analysed steps, watch intervals) tests at `alpha / analyses`, so an identical model fails in
       * about `alpha` of rollouts, not of windows.
       */
      alpha: z.number().min(0).max(1).default(0.01),
      /** On mirrored (shadow) traffic: share of rows whose answer agrees with the served one. */
      minAgreement: z.number().min(0).max(1).default(0.95),
    })
    .prefault({}),
  /** Custom checks against Prometheus, for teams whose metrics already live there. */
  prometheus: z
    .strictObject({
      /** Base URL of the Prometheus HTTP API (`/api/v1/query` is appended). */
      url: z.url({ protocol: /^https?$/ }),
      checks: z.array(prometheusCheck).min(1),
      timeout: duration.prefault('10s'),
    })
    .optional(),
});
export type AnalysisConfig = z.output<typeof analysisConfig>;

/** How a check, and the verdict over all its checks, came out. */
const analysisStatus = z.enum(['pass', 'fail', 'inconclusive']);

export const analysisCheck = z.object({
  /** `replicas`, `samples`, `error-rate`, `latency`, `prediction-shift`, `shadow-agreement`, or `prometheus:<name>`. */
  name: z.string(),
  status: analysisStatus,
  /** One line with the numbers behind the status. */
  detail: z.string(),
  values: z.record(z.string(), z.number().nullable()),
});
export type AnalysisCheck = z.infer<typeof analysisCheck>;

export const analysisVerdict = z.object({
  status: analysisStatus,
  checks: z.array(analysisCheck),
  /** Window the verdict covers (epoch ms). */
  since: z.number(),
  until: z.number(),
  /** Replicas whose statistics the verdict covers. */
  replicas: z.number().int().nonnegative(),
  /**
   * Replicas registered in the store whose heartbeats had stopped when the window was collected (a
   * gateway killed during the bake): their traffic is missing from the verdict. Absent when there were none.
   */
  staleReplicas: z.array(z.string()).optional(),
});
export type AnalysisVerdict = z.infer<typeof analysisVerdict>;
