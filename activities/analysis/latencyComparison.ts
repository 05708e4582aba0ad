/**
 * One latency comparison of the canary against stable over one kind of sample (end-to-end latency,
 * or the model's own compute time): slower only when the difference is significant (Mann-Whitney U
 * and its effect size) and large (a p50 or p99 ratio over its maximum, by more than
 * `minSlowdownMs`). Pure.
 */
import type { AnalysisConfig } from '../../sdk/schemas';
import { percentile } from '../benchmark/latencyStats';
import { mannWhitneyU } from './statistics';

/** A latency percentile of stable and of the canary, in ms. */
interface Pair {
  stable: number;
  canary: number;
}

export interface LatencyComparison {
  /** The canary is slower by the configured thresholds. */
  slower: boolean;
  /** The numbers, e.g. `p50 ×1.78 (max 1.2), p99 ×0.25 (max 1.5), p50 +1.333 ms, … Mann-Whitney p=0.0071, …`. */
  detail: string;
  values: { p50Ratio: number; p99Ratio: number; pValue: number; probabilitySlower: number };
}

/** A statistic as verdict details print it: fixed digits, or `NaN`/`Infinity` as such. */
export const f = (v: number, digits = 4): string => (Number.isFinite(v) ? v.toFixed(digits) : String(v));

/**
 * Samples each side needs before its p99 is judged: with fewer, the 99th percentile is one or two
 * requests (at 75 samples, the slowest), so one preempted request would decide it. p50 still judges.
 */
export const P99_MIN_SAMPLES = 500;

/** Compares the canary's samples with stable's (ms); undefined when either side has none. */
export function compareLatencies(stableMs: readonly number[], canaryMs: readonly number[], config: AnalysisConfig): LatencyComparison | undefined {
  if (stableMs.length === 0 || canaryMs.length === 0) return undefined;
  const sortedStable = [...stableMs].sort((a, b) => a - b);
  const sortedCanary = [...canaryMs].sort((a, b) => a - b);
  const [p50, p99] = [0.5, 0.99].map((q) => ({ stable: percentile(sortedStable, q), canary: percentile(sortedCanary, q) })) as [Pair, Pair];
  const p50Ratio = p50.canary / p50.stable;
  const p99Ratio = p99.canary / p99.stable;
  const rank = mannWhitneyU(stableMs, canaryMs);
  const significant = rank.pValue < config.latency.alpha && rank.probabilityGreater > config.latency.minEffect;
  // A slowdown must also be large in milliseconds: a sub-millisecond model's canary (a fresh, less
  // busy model instance) can be 20-30% slower than stable by wake-ups alone.
  const minSlowdownMs = config.latency.minSlowdownMs ?? 0; // (a deployment started before this setting existed judges by ratios)
  const slowerAt = (p: Pair, max: number): boolean => p.canary / p.stable > max && p.canary - p.stable > minSlowdownMs;
  const tailJudged = Math.min(stableMs.length, canaryMs.length) >= P99_MIN_SAMPLES;
  return {
    slower: significant && (slowerAt(p50, config.latency.maxP50Ratio) || (tailJudged && slowerAt(p99, config.latency.maxP99Ratio))),
    detail:
      `p50 ×${f(p50Ratio, 2)} (max ${config.latency.maxP50Ratio}), p99 ×${f(p99Ratio, 2)} ` +
      `(${tailJudged ? `max ${config.latency.maxP99Ratio}` : `not judged under ${P99_MIN_SAMPLES} samples a side`}), ` +
      `p50 +${f(p50.canary - p50.stable, 3)} ms, p99 +${f(p99.canary - p99.stable, 3)} ms (ignored under ${minSlowdownMs} ms); ` +
      `Mann-Whitney p=${f(rank.pValue)}, P(canary slower)=${f(rank.probabilityGreater, 3)} (min effect ${config.latency.minEffect})`,
    values: { p50Ratio, p99Ratio, pValue: rank.pValue, probabilitySlower: rank.probabilityGreater },
  };
}
