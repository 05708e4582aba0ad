/**
 * Choosing, per target, the candidate that serves: the fastest one that passed validation, unless
 * it is slower than the fp32 model it came from. Pure and deterministic (workflow-safe).
 */
import type { Candidate } from '../sdk/schemas';

function p50(c: Candidate): number | undefined {
  return c.benchmark?.batches[0]?.latencyMs.p50;
}

/**
 * Marks one candidate of `candidates` (all of one target) as selected and writes every verdict.
 * The base (pass `convert`) must have passed validation. An optimized copy replaces it only if
 * measured at least `minSpeedup` faster (p50): without proof, the faithful fp32 model serves.
 */
export function selectCandidate(candidates: Candidate[], minSpeedup = 0.05): Candidate {
  const base = candidates.find((c) => c.pass === 'convert');
  if (!base) throw new Error('no base candidate');
  const basePassed = base.validation?.passed === true;
  const baseP50 = p50(base);
  let best: Candidate | undefined;
  for (const c of candidates) {
    if (c.verdict) continue; // already judged (failed pass or validation)
    if (c.validation?.passed !== true) {
      c.verdict = `not selected: failed validation: ${(c.validation?.reasons ?? ['not validated']).join('; ')}`;
      continue;
    }
    const latency = p50(c);
    if (latency === undefined) {
      if (c !== base) c.verdict = 'not selected: not benchmarked';
      continue;
    }
    if (c !== base && (c.benchmark?.batches.some((b) => !b.stable) || base.benchmark?.batches.some((b) => !b.stable))) {
      c.verdict = 'not selected: its measurement (or fp32\'s) never settled within the budget, so a speed-up is not proven';
      continue;
    }
    if (c !== base && baseP50 !== undefined && latency >= baseP50) {
      c.verdict = `not selected: slower than fp32 (p50 ${latency.toFixed(3)} ms vs ${baseP50.toFixed(3)} ms)`;
      continue;
    }
    if (c !== base && baseP50 !== undefined && latency > baseP50 * (1 - minSpeedup)) {
      c.verdict = `not selected: less than ${(minSpeedup * 100).toFixed(0)}% faster than fp32 (p50 ${latency.toFixed(3)} ms vs ${baseP50.toFixed(3)} ms)`;
      continue;
    }
    if (!best || latency < (p50(best) as number) || (latency === p50(best) && (c.artifact?.sizeBytes ?? 0) < (best.artifact?.sizeBytes ?? 0))) {
      best = c;
    }
  }
  const chosen = best ?? (basePassed ? base : undefined);
  if (!chosen) throw new Error('the base candidate did not pass validation');
  chosen.selected = true;
  const latency = p50(chosen);
  chosen.verdict =
    latency === undefined
      ? 'selected: the fp32 conversion (nothing was measured, so no optimized copy is chosen without proof)'
      : chosen === base
        ? `selected: fastest passing candidate (p50 ${latency.toFixed(3)} ms)`
        : `selected: fastest passing candidate (p50 ${latency.toFixed(3)} ms, ${((baseP50 as number) / latency).toFixed(2)}× fp32)`;
  for (const c of candidates) {
    if (!c.verdict) c.verdict = `not selected: ${chosen.label} is faster (p50 ${p50(c)?.toFixed(3)} ms)`;
  }
  return chosen;
}
