/**
 * The benchmark gate: is the serving pick slower than the endpoint's stable version? Pure and
 * deterministic (workflow-safe). The pick is refused only when both hold:
 *  - its median latency ratio to stable is above the allowed slowdown with confidence (the whole
 *    confidence interval lies above `1 + maxRegressionPercent / 100`), and
 *  - its median exceeds stable's by more than `minRegressionMs` (timing noise on sub-millisecond
 *    models is not a regression anyone would notice).
 * The pick that is the stable artifact (same digest) is not gated. Reports of older workers (no
 * interleaved comparison) are judged as they were: the p50 ratio against the allowed slowdown.
 */
import type { BenchmarkGate, CandidateBenchmark, StableComparison } from '../sdk/schemas';
import { shortDigest } from '../sdk/shortDigest';

export interface GateLimits {
  maxRegressionPercent: number;
  minRegressionMs: number;
}

const ms = (v: number): string => `${v.toFixed(3)} ms`;

/** The gate's decision on `pick` against `stable`, from the comparison of their interleaved runs. */
export function judgeAgainstStable(
  pick: { label: string; digest: string },
  stable: { label: string; digest: string },
  comparison: StableComparison | undefined,
  limits: GateLimits,
): BenchmarkGate {
  const names = { candidate: pick.label, stable: stable.label };
  if (pick.digest === stable.digest) {
    return { ...names, gated: false, regressed: false, verdict: `same artifact as ${stable.label} (${shortDigest(stable.digest)}): not gated` };
  }
  if (!comparison) return { ...names, gated: false, regressed: false, verdict: `${pick.label} was not measured against ${stable.label}: not gated` };
  const c = comparison;
  const allowed = 1 + limits.maxRegressionPercent / 100;
  const differenceMs = c.candidateMedianMs - c.stableMedianMs;
  const numbers =
    `median ${ms(c.candidateMedianMs)} vs ${ms(c.stableMedianMs)} over ${c.samples} interleaved runs each; ` +
    `ratio ${c.ratio.toFixed(3)}, ${(c.confidence * 100).toFixed(0)}% interval ${c.ratioLow.toFixed(3)}–${c.ratioHigh.toFixed(3)}`;
  const limit = `at most ${limits.maxRegressionPercent}% or ${limits.minRegressionMs} ms allowed`;
  const slowerWithConfidence = c.ratioLow > allowed;
  const regressed = slowerWithConfidence && differenceMs > limits.minRegressionMs;
  const verdict = regressed
    ? `${pick.label} is ${((c.ratio - 1) * 100).toFixed(1)}% (${ms(differenceMs)}) slower than ${stable.label} (${numbers}; ${limit})`
    : slowerWithConfidence
      ? `${pick.label} vs ${stable.label}: slower than the allowed ${limits.maxRegressionPercent}%, but by only ${ms(differenceMs)} (floor ${limits.minRegressionMs} ms): passes (${numbers})`
      : `${pick.label} vs ${stable.label}: not slower than the allowed ${limits.maxRegressionPercent}% with confidence: passes (${numbers})`;
  return { ...names, gated: true, regressed, verdict };
}

/** The decision for a report without interleaved comparisons (older workers): the p50 ratio alone, as those deployments were judged. */
export function judgeByP50(pick: { label: string; benchmark?: CandidateBenchmark }, stable: CandidateBenchmark, limits: GateLimits): BenchmarkGate | undefined {
  const pickP50 = pick.benchmark?.batches[0]?.latencyMs.p50;
  const stableP50 = stable.batches[0]?.latencyMs.p50;
  if (pickP50 === undefined || stableP50 === undefined) return undefined;
  const regressed = pickP50 > stableP50 * (1 + limits.maxRegressionPercent / 100);
  const numbers = `p50 ${ms(pickP50)} vs ${ms(stableP50)}; at most ${limits.maxRegressionPercent}% allowed`;
  const verdict = regressed
    ? `${pick.label} is ${((pickP50 / stableP50 - 1) * 100).toFixed(1)}% slower than ${stable.label} (${numbers})`
    : `${pick.label} vs ${stable.label}: passes (${numbers})`;
  return { candidate: pick.label, stable: stable.label, gated: true, regressed, verdict };
}
