/**
 * A candidate's latency against the stable version's, from runs interleaved with it: medians, and the
 * Hodges-Lehmann estimate of the median ratio with its distribution-free confidence interval (shift of
 * log latencies, so a ratio; the interval from Mann-Whitney U, in `../analysis/statistics`).
 */
import type { StableComparison } from '../../sdk/schemas';
import { hodgesLehmannShift } from '../analysis/statistics';
import { evenlySpaced, percentile } from './latencyStats';

/** Runs per model the comparison uses at most (the interval costs one difference per pair). */
export const COMPARED_RUNS = 1000;

/** Compares `candidate` with `stable` latencies (ms) measured in the same rounds. */
export function compareWithStable(
  model: { label: string; digest: string; batchSize: number },
  stableMs: readonly number[],
  candidateMs: readonly number[],
  confidence: number,
): StableComparison {
  const stable = evenlySpaced(stableMs, COMPARED_RUNS);
  const candidate = evenlySpaced(candidateMs, COMPARED_RUNS);
  const log = (samples: number[]) => samples.map((v) => Math.log(Math.max(v, 1e-6)));
  const shift = hodgesLehmannShift(log(stable), log(candidate), confidence);
  const median = (samples: number[]) =>
    percentile(
      [...samples].sort((a, b) => a - b),
      0.5,
    );
  return {
    ...model,
    samples: Math.min(stable.length, candidate.length),
    candidateMedianMs: median(candidate),
    stableMedianMs: median(stable),
    ratio: Math.exp(shift.estimate),
    ratioLow: Math.exp(shift.low),
    ratioHigh: Math.exp(shift.high),
    confidence,
  };
}
