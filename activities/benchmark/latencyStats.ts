/** Latency summaries from raw samples, and thinning them evenly. */
import type { LatencySummary } from '../../sdk/schemas';

/** Nearest-rank percentile (`q` in [0, 1]) of sorted ascending samples. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function summarizeLatencies(samplesMs: readonly number[]): LatencySummary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const sum = sorted.reduce((s, v) => s + v, 0);
  return {
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** At most `n` of `samples`, evenly spaced (interleaved rounds thinned alike stay matched). */
export function evenlySpaced(samples: readonly number[], n: number): number[] {
  if (samples.length <= n) return [...samples];
  const step = samples.length / n;
  return Array.from({ length: n }, (_, i) => samples[Math.floor(i * step)] as number);
}
