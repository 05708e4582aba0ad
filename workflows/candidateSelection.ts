/**
 * Choosing, per target, the candidate that serves. Pure and deterministic (workflow-safe).
 *
 * The faithful fp32 conversion serves unless an optimized copy that passed validation proves,
 * with measurements that settled, that it is better:
 *  - at least `minSpeedup` faster (p50 at the first batch size): the fastest such copy wins;
 *  - otherwise, as fast within `minSpeedup` and at least 10% quicker to load (session creation,
 *    which every gateway replica pays on each rollout): the quickest-loading such copy wins.
 */
import type { Candidate } from '../sdk/schemas';

function p50(c: Candidate): number | undefined {
  return c.benchmark?.batches[0]?.latencyMs.p50;
}

function settled(c: Candidate): boolean {
  return (c.benchmark?.batches.length ?? 0) > 0 && (c.benchmark?.batches.every((b) => b.stable) ?? false);
}

const ms = (v: number | undefined): string => `${v?.toFixed(3)} ms`;

/** Marks one candidate of `candidates` (all of one target) as selected and writes every verdict. */
export function selectCandidate(candidates: Candidate[], minSpeedup = 0.05): Candidate {
  const base = candidates.find((c) => c.pass === 'convert');
  if (!base || base.validation?.passed !== true) throw new Error('the base candidate did not pass validation');
  const baseP50 = p50(base);
  const baseLoad = base.benchmark?.sessionCreateMs;
  const faster: Candidate[] = [];
  const loadsFaster: Candidate[] = [];
  for (const c of candidates) {
    if (c === base || c.verdict) continue; // the base, or already judged (its pass failed)
    if (c.validation?.passed !== true) {
      c.verdict = `not selected: failed validation: ${(c.validation?.reasons ?? ['not validated']).join('; ')}`;
      continue;
    }
    const latency = p50(c);
    if (latency === undefined || baseP50 === undefined) {
      c.verdict = 'not selected: not benchmarked, so no speed-up is proven';
      continue;
    }
    if (!settled(c) || !settled(base)) {
      c.verdict = `not selected: its measurement (or fp32's) never settled within the budget, so a speed-up is not proven`;
      continue;
    }
    const ratio = latency / baseP50;
    if (ratio <= 1 - minSpeedup) faster.push(c);
    else if (ratio < 1 + minSpeedup && baseLoad !== undefined && (c.benchmark?.sessionCreateMs ?? Infinity) < 0.9 * baseLoad) loadsFaster.push(c);
    else if (ratio >= 1) c.verdict = `not selected: slower than fp32 (p50 ${ms(latency)} vs ${ms(baseP50)})`;
    else c.verdict = `not selected: less than ${(minSpeedup * 100).toFixed(0)}% faster than fp32 (p50 ${ms(latency)} vs ${ms(baseP50)})`;
  }
  const byLatency = (a: Candidate, b: Candidate) => (p50(a) as number) - (p50(b) as number) || (a.artifact?.sizeBytes ?? 0) - (b.artifact?.sizeBytes ?? 0);
  const byLoad = (a: Candidate, b: Candidate) => (a.benchmark?.sessionCreateMs ?? 0) - (b.benchmark?.sessionCreateMs ?? 0);
  const chosen = faster.sort(byLatency)[0] ?? loadsFaster.sort(byLoad)[0] ?? base;
  chosen.selected = true;
  if (chosen === base) {
    chosen.verdict =
      baseP50 === undefined
        ? 'selected: the fp32 conversion (nothing was measured, so no optimized copy is chosen without proof)'
        : `selected: the fp32 conversion (p50 ${ms(baseP50)}); no optimized copy proved better`;
  } else if (faster.includes(chosen)) {
    chosen.verdict = `selected: fastest passing candidate (p50 ${ms(p50(chosen))}, ${((baseP50 as number) / (p50(chosen) as number)).toFixed(2)}× fp32)`;
  } else {
    chosen.verdict = `selected: as fast as fp32 (p50 ${ms(p50(chosen))} vs ${ms(baseP50)}) and quicker to load (${ms(chosen.benchmark?.sessionCreateMs)} vs ${ms(baseLoad)})`;
  }
  for (const c of [...faster, ...loadsFaster]) {
    if (c !== chosen) c.verdict = `not selected: ${chosen.label} is better (${chosen.verdict.replace(/^selected: /, '')})`;
  }
  if (base !== chosen) base.verdict = `not selected: ${chosen.label} is better (${chosen.verdict.replace(/^selected: /, '')})`;
  return chosen;
}
