/**
 * Choosing, per target, the candidate that serves. Pure and deterministic (workflow-safe).
 *
 * The faithful fp32 conversion serves unless an optimized copy that passed validation proves that it
 * is better:
 *  - at least `minSpeedup` faster: by p50 at the first batch size with both measurements settled, or
 *    (with `pairedInterval`) by the upper bound of its latency-ratio interval to fp32 from the same
 *    interleaved rounds (`benchmark.vsConversion`), settled or not: the fastest such copy wins;
 *  - otherwise, with settled measurements, as fast within `minSpeedup` and at least 10% quicker to load
 *    (session creation, which every gateway replica pays on each rollout): the quickest-loading such copy wins.
 * With `pairedDecides`, a copy that has a paired interval to fp32 is judged by it alone, settled or not
 * (faster: its upper bound below `1 - minSpeedup`; as fast, for the load-time rule: below `1 + minSpeedup`),
 * and copies proven faster are ranked by their paired ratios: p50s measured in the same rounds but
 * summarized apart can disagree with it (an MLP's graph copy read 0.69× fp32 by settled p50s while its
 * paired interval was 0.97–1.10), and the paired one is the comparison.
 */
import type { Candidate } from '../sdk/schemas';

/** How the selection may prove a speed-up. */
export interface SelectionRules {
  /** Also take a paired-runs interval to fp32 whose upper bound is below `1 - minSpeedup` as proof (settled or not). */
  pairedInterval?: boolean;
  /** A copy with a paired interval to fp32 is proven faster (or as fast) by that interval only, never by p50s measured apart. */
  pairedDecides?: boolean;
}

function p50(c: Candidate): number | undefined {
  return c.benchmark?.batches[0]?.latencyMs.p50;
}

function settled(c: Candidate): boolean {
  return (c.benchmark?.batches.length ?? 0) > 0 && (c.benchmark?.batches.every((b) => b.stable) ?? false);
}

const ms = (v: number | undefined): string => `${v?.toFixed(3)} ms`;

type PairedComparison = NonNullable<NonNullable<Candidate['benchmark']>['vsConversion']>;

/** A latency ratio from paired runs and its interval, as verdicts and stage summaries say it: `0.55× fp32 latency, 99% interval 0.52–0.57`. */
export function ratioText(c: Pick<PairedComparison, 'ratio' | 'ratioLow' | 'ratioHigh' | 'confidence'>, against: string): string {
  return `${c.ratio.toFixed(2)}× ${against}, ${(c.confidence * 100).toFixed(0)}% interval ${c.ratioLow.toFixed(2)}–${c.ratioHigh.toFixed(2)}`;
}

/** The copy's paired interval to fp32, as proof of a speed-up of at least `minSpeedup`, or undefined when it proves none. */
function pairedProof(c: Candidate, minSpeedup: number): string | undefined {
  const v = c.benchmark?.vsConversion;
  if (!v || v.samples === 0 || v.ratioHigh > 1 - minSpeedup) return undefined;
  return `${ratioText(v, 'fp32 latency')}, paired runs`;
}

/** At least 10% quicker to load than `base` (session creation, which every gateway replica pays on each rollout). */
function loadsQuicker(c: Candidate, base: Candidate): boolean {
  const baseLoad = base.benchmark?.sessionCreateMs;
  return baseLoad !== undefined && (c.benchmark?.sessionCreateMs ?? Infinity) < 0.9 * baseLoad;
}

type Judgement = { proof: 'faster'; note?: string } | { proof: 'loadsFaster' } | { proof: 'none'; verdict: string };

/** Judged by the paired interval to fp32 alone: faster when its upper bound is below `1 - minSpeedup`; as fast (then load time counts) below `1 + minSpeedup`. */
function judgePaired(c: Candidate, base: Candidate, v: PairedComparison, minSpeedup: number): Judgement {
  const proof = pairedProof(c, minSpeedup);
  if (proof) return { proof: 'faster', note: proof };
  const interval = `paired runs: ${ratioText(v, 'fp32 latency')}`;
  if (v.ratioHigh < 1 + minSpeedup && loadsQuicker(c, base)) return { proof: 'loadsFaster' };
  if (v.ratioLow >= 1) return { proof: 'none', verdict: `not selected: slower than fp32 (${interval})` };
  return { proof: 'none', verdict: `not selected: not proven ${(minSpeedup * 100).toFixed(0)}% faster than fp32 (${interval})` };
}

/** Whether `c` (validated and measured, like `base`) proves itself better than the fp32 conversion, and how. */
function judge(c: Candidate, base: Candidate, minSpeedup: number, rules: SelectionRules): Judgement {
  const comparison = c.benchmark?.vsConversion;
  if (rules.pairedDecides && comparison && comparison.samples > 0) return judgePaired(c, base, comparison, minSpeedup);
  const latency = p50(c) as number;
  const baseP50 = p50(base) as number;
  const bothSettled = settled(c) && settled(base);
  const ratio = latency / baseP50;
  // With both proofs available the verdict says which one held; without, it reads as it always has.
  if (bothSettled && ratio <= 1 - minSpeedup)
    return { proof: 'faster', ...(rules.pairedInterval ? { note: `${ratio.toFixed(2)}× fp32 latency, settled measurements` } : {}) };
  const paired = rules.pairedInterval ? pairedProof(c, minSpeedup) : undefined;
  if (paired) return { proof: 'faster', note: paired };
  if (!bothSettled) return { proof: 'none', verdict: `not selected: its measurement (or fp32's) never settled within the budget, so a speed-up is not proven` };
  if (ratio < 1 + minSpeedup && loadsQuicker(c, base)) return { proof: 'loadsFaster' };
  if (ratio >= 1) return { proof: 'none', verdict: `not selected: slower than fp32 (p50 ${ms(latency)} vs ${ms(baseP50)})` };
  return { proof: 'none', verdict: `not selected: less than ${(minSpeedup * 100).toFixed(0)}% faster than fp32 (p50 ${ms(latency)} vs ${ms(baseP50)})` };
}

/**
 * Marks one candidate of `candidates` (all of one target) as selected and writes every verdict.
 * `rules.pairedInterval` off (the default) is the rule of workflows started before the paired proof existed.
 */
export function selectCandidate(candidates: Candidate[], minSpeedup = 0.05, rules: SelectionRules = {}): Candidate {
  const base = candidates.find((c) => c.pass === 'convert');
  if (!base || base.validation?.passed !== true) throw new Error('the base candidate did not pass validation');
  const baseP50 = p50(base);
  const faster: Candidate[] = [];
  const proofNotes = new Map<Candidate, string>();
  const loadsFaster: Candidate[] = [];
  for (const c of candidates) {
    if (c === base || c.verdict) continue; // the base, or already judged (its pass failed)
    if (c.validation?.passed !== true) {
      c.verdict = `not selected: failed validation: ${(c.validation?.reasons ?? ['not validated']).join('; ')}`;
      continue;
    }
    if (p50(c) === undefined || baseP50 === undefined) {
      c.verdict = 'not selected: not benchmarked, so no speed-up is proven';
      continue;
    }
    const judgement = judge(c, base, minSpeedup, rules);
    if (judgement.proof === 'none') c.verdict = judgement.verdict;
    else if (judgement.proof === 'loadsFaster') loadsFaster.push(c);
    else {
      faster.push(c);
      if (judgement.note) proofNotes.set(c, judgement.note);
    }
  }
  // Among copies proven faster, the fastest: by their paired ratios to fp32 when the interval decides and both have one (p50s summarized apart can order them otherwise).
  const pairedRatio = (c: Candidate): number | undefined =>
    rules.pairedDecides && (c.benchmark?.vsConversion?.samples ?? 0) > 0 ? c.benchmark?.vsConversion?.ratio : undefined;
  const byLatency = (a: Candidate, b: Candidate) => {
    const [ra, rb] = [pairedRatio(a), pairedRatio(b)];
    const faster = ra !== undefined && rb !== undefined ? ra - rb : (p50(a) as number) - (p50(b) as number);
    return faster || (a.artifact?.sizeBytes ?? 0) - (b.artifact?.sizeBytes ?? 0);
  };
  const byLoad = (a: Candidate, b: Candidate) => (a.benchmark?.sessionCreateMs ?? 0) - (b.benchmark?.sessionCreateMs ?? 0);
  const chosen = faster.sort(byLatency)[0] ?? loadsFaster.sort(byLoad)[0] ?? base;
  chosen.selected = true;
  chosen.verdict = selectedVerdict(chosen, base, faster.includes(chosen), proofNotes.get(chosen));
  for (const c of [...faster, ...loadsFaster]) {
    if (c !== chosen) c.verdict = `not selected: ${chosen.label} is better (${chosen.verdict.replace(/^selected: /, '')})`;
  }
  if (base !== chosen) base.verdict = `not selected: ${chosen.label} is better (${chosen.verdict.replace(/^selected: /, '')})`;
  return chosen;
}

/** The verdict of the chosen candidate: the base, the fastest (with the `proof` that held, under the paired rules), or the quicker to load. */
function selectedVerdict(chosen: Candidate, base: Candidate, isFaster: boolean, proof: string | undefined): string {
  const baseP50 = p50(base);
  if (chosen === base) {
    return baseP50 === undefined
      ? 'selected: the fp32 conversion (nothing was measured, so no optimized copy is chosen without proof)'
      : `selected: the fp32 conversion (p50 ${ms(baseP50)}); no optimized copy proved better`;
  }
  if (isFaster && proof) return `selected: fastest passing candidate (p50 ${ms(p50(chosen))}, ${proof})`;
  if (isFaster) return `selected: fastest passing candidate (p50 ${ms(p50(chosen))}, ${((baseP50 as number) / (p50(chosen) as number)).toFixed(2)}× fp32)`;
  return `selected: as fast as fp32 (p50 ${ms(p50(chosen))} vs ${ms(baseP50)}) and quicker to load (${ms(chosen.benchmark?.sessionCreateMs)} vs ${ms(base.benchmark?.sessionCreateMs)})`;
}
