/**
 * The table of `npm run bench:optimize`: one row per pass and model family (size, p50 at batch 1,
 * throughput at batch 16, ratios to fp32, parity, accuracy on held-out rows, an optimized copy's
 * paired-runs latency ratio to fp32 with its interval), a "skipped: …" or
 * "failed: …" row for a pass that made no candidate, what the pipeline's selection would serve, and
 * the issue's goals checked against the rows.
 */
import type { Candidate, CandidateBenchmark, ModelArtifact, ValidationReport } from '../sdk/schemas';
import { selectCandidate } from '../workflows/candidateSelection';

/** One pass's outcome on one model family. */
export interface PassRow {
  label: string;
  artifact?: ModelArtifact;
  skipped?: string;
  error?: string;
  validation?: ValidationReport;
  benchmark?: CandidateBenchmark;
}

export interface FamilyTable {
  name: string;
  rows: PassRow[];
}

const HEADER = 'pass              size KiB  ×size  p50 ms(b1)  ×p50  items/s(b16)  ×thr  max abs err  top-1 agr  accuracy  parity';

const p50 = (r: PassRow | undefined): number => r?.benchmark?.batches[0]?.latencyMs.p50 ?? NaN;
const throughput = (r: PassRow | undefined): number => r?.benchmark?.batches[1]?.throughputPerSec ?? NaN;

/** The p50 ratio of a row to its family's fp32 row. */
function p50Ratio(table: FamilyTable, row: PassRow): number {
  return p50(row) / p50(table.rows.find((r) => r.label === 'fp32'));
}

function formatRow(table: FamilyTable, r: PassRow): string {
  const label = r.label.padEnd(16);
  if (r.skipped !== undefined) return `${label}  skipped: ${r.skipped}`;
  if (!r.artifact) return `${label}  failed: ${r.error?.split('\n')[0]?.slice(0, 110)}`;
  const base = table.rows.find((x) => x.label === 'fp32')?.artifact;
  const size = `${(r.artifact.sizeBytes / 1024).toFixed(0).padStart(8)}  ${(r.artifact.sizeBytes / (base?.sizeBytes ?? NaN)).toFixed(2).padStart(5)}`;
  if (!r.benchmark) return `${label}  ${size}  refused: ${r.validation?.reasons.join('; ').slice(0, 110)}`;
  const out = r.validation?.parity?.outputs[0];
  const baseRow = table.rows.find((x) => x.label === 'fp32');
  const v = r.benchmark.vsConversion;
  const paired = v ? ` (paired: ${v.ratio.toFixed(2)}× fp32, ${(v.confidence * 100).toFixed(0)}% ${v.ratioLow.toFixed(2)}–${v.ratioHigh.toFixed(2)})` : '';
  const notes = (r.benchmark.batches.some((x) => !x.stable) ? ' (unstable)' : '') + paired;
  return (
    `${label}  ${size}  ${p50(r).toFixed(3).padStart(10)}  ${p50Ratio(table, r).toFixed(2).padStart(4)}  ` +
    `${throughput(r).toFixed(0).padStart(12)}  ${(throughput(r) / throughput(baseRow)).toFixed(2).padStart(4)}  ` +
    `${(out?.maxAbsError ?? NaN).toExponential(2).padStart(11)}  ${out?.top1Agreement === undefined ? '        –' : out.top1Agreement.toFixed(3).padStart(9)}  ` +
    `${r.validation?.accuracy === undefined ? '       –' : r.validation.accuracy.value.toFixed(3).padStart(8)}  ` +
    `${r.validation?.passed ? 'pass' : `fail (${out?.criterion ?? r.validation?.reasons[0]})`}${notes}`
  );
}

/**
 * What the pipeline's candidate selection (workflows/candidateSelection.ts) would serve from these rows, and
 * why: as new deployments select, a speed-up proven by settled measurements or by the paired-runs interval to fp32.
 */
export function servedPick(table: FamilyTable): string {
  const candidates: Candidate[] = table.rows.map((r) => ({
    label: r.label,
    target: 'cpu',
    pass: r.label === 'fp32' ? 'convert' : r.label,
    ...(r.artifact ? { artifact: r.artifact } : {}),
    ...(r.validation ? { validation: r.validation } : {}),
    ...(r.benchmark ? { benchmark: r.benchmark } : {}),
    selected: false,
    verdict: r.artifact ? '' : `not selected: ${r.skipped ?? r.error ?? 'no candidate'}`,
  }));
  try {
    const chosen = selectCandidate(candidates, 0.05, { pairedInterval: true, pairedDecides: true });
    return `serves: ${chosen.label} (${chosen.verdict})`;
  } catch (error) {
    return `serves: nothing (${(error as Error).message})`;
  }
}

/** Every family's rows, as printed, each followed by what the pipeline would serve. */
export function formatTables(tables: FamilyTable[]): string {
  return tables.flatMap((t) => ['', t.name, HEADER, ...t.rows.map((r) => formatRow(t, r)), servedPick(t)]).join('\n');
}

/** The issue's goals: a static int8 CNN at ≤ 0.6× fp32 p50 with ≥ 99% top-1, and a transformer copy at ≤ 0.6× that passes parity. */
export function goalsCheck(cnn: FamilyTable | undefined, transformer: FamilyTable | undefined): string[] {
  const lines: string[] = [];
  const staticInt8 = cnn?.rows.find((r) => r.label === 'int8 static');
  const top1 = staticInt8?.validation?.parity?.outputs[0]?.top1Agreement;
  const cnnRatio = cnn && staticInt8 ? p50Ratio(cnn, staticInt8) : NaN;
  const cnnPass = cnnRatio <= 0.6 && (top1 ?? 0) >= 0.99;
  lines.push(`${cnnPass ? 'PASS' : 'FAIL'}  CNN static int8 ≤ 0.6× fp32 p50 with top-1 ≥ 99%: ${cnnRatio.toFixed(2)}×, top-1 ${top1?.toFixed(3) ?? '–'}`);
  const copies = (transformer?.rows ?? []).filter((r) => r.label !== 'fp32' && r.benchmark && r.validation?.passed);
  const best = copies.sort((a, b) => p50(a) - p50(b))[0];
  const ratio = transformer && best ? p50Ratio(transformer, best) : NaN;
  lines.push(
    `${ratio <= 0.6 ? 'PASS' : 'FAIL'}  transformer block: a copy passing parity at ≤ 0.6× fp32 p50: ${best ? `${best.label} ${ratio.toFixed(2)}×` : 'none passed parity'}`,
  );
  return lines;
}
