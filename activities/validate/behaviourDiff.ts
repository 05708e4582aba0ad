/**
 * How a candidate's answers differ from the stable version's on the same replay inputs, output by
 * output, and which differences exceed the behaviour gate's thresholds. Pure.
 *
 *   score output (classifiers)  top-1 agreement, and the score vectors' mean delta
 *   float outputs               mean / max |candidate − stable|, the mean relative to stable's scale,
 *                               the relative error distribution, value ranges
 *   probabilities               rows that sum to 1 on stable must on the candidate (a removed softmax);
 *                               the mean log-probability delta weighs unlikely classes like likely ones
 *   integer and other outputs   share of equal values
 * NaN or Inf in a candidate's output is always a change. FP16 outputs are compared as the numbers
 * their half bits stand for.
 */
import type { BehaviourDiff, BehaviourGate, OutputBehaviour, ReplaySetBehaviour, ValueRange } from '../../sdk/schemas';
import type { Tensor, TensorMap } from '../../runtime/tensor';
import { widenHalf } from '../../runtime/nonFiniteValues';
import { top1Agreement } from './parity';

export type BehaviourThresholds = Pick<BehaviourGate, 'minTop1Agreement' | 'maxMeanDelta' | 'maxMeanLogDelta' | 'rowSumTolerance'>;

/** Compares every output of the candidate with stable's output of the same name. */
export function compareOutputs(candidate: TensorMap, stable: TensorMap, scoreOutput: string | undefined, thresholds: BehaviourThresholds): OutputBehaviour[] {
  return Object.entries(candidate).map(([name, c]) => {
    const s = stable[name];
    return compareOutput(name, widenHalf(c), s && widenHalf(s), name === scoreOutput, thresholds);
  });
}

/**
 * The gate's decision on the compared sets and the accuracy against stable's: what changed beyond
 * the thresholds (one line each), and whether it passes: nothing changed, or the change is accepted.
 */
export function behaviourVerdict(
  sets: readonly ReplaySetBehaviour[],
  accuracy: { stable: number; candidate: number; drop: number } | undefined,
  gate: Pick<BehaviourGate, 'maxAccuracyDropVsStable' | 'acceptChange'>,
  /** Changes found outside the sets' outputs (e.g. the candidate fails on inputs stable answers). */
  failures: readonly string[] = [],
): Pick<BehaviourDiff, 'changes' | 'acceptedChange' | 'passed'> {
  const changes = [...failures];
  changes.push(
    ...sets.flatMap((set) =>
      set.outputs.filter((o) => o.changes.length > 0).map((o) => `${o.name} on ${set.samples} ${set.name} inputs: ${o.changes.join(', ')}`),
    ),
  );
  if (accuracy && accuracy.drop > gate.maxAccuracyDropVsStable) {
    changes.push(
      `accuracy on the evaluation set ${fmt(accuracy.candidate)} is ${fmt(accuracy.drop)} below stable's ${fmt(accuracy.stable)} (at most ${gate.maxAccuracyDropVsStable})`,
    );
  }
  if (changes.length === 0) return { changes, passed: true };
  return gate.acceptChange !== undefined ? { changes, acceptedChange: gate.acceptChange, passed: true } : { changes, passed: false };
}

const isFloatOutput = (t: Tensor): boolean => t.datatype === 'FP32' || t.datatype === 'FP64';

function compareOutput(name: string, c: Tensor, s: Tensor | undefined, isScore: boolean, thresholds: BehaviourThresholds): OutputBehaviour {
  const sides = { stable: summary(s), candidate: summary(c) };
  const nonFinite = sides.candidate.nonFinite > 0 ? [`${sides.candidate.nonFinite} NaN/Inf values (stable: ${sides.stable.nonFinite})`] : [];
  if (!s) return { name, comparable: false, note: 'the stable version has no output of this name', ...sides, changes: nonFinite };
  if (c.datatype !== s.datatype || c.shape.join('x') !== s.shape.join('x')) {
    const note = `not compared: ${c.datatype} [${c.shape.join(', ')}] here, ${s.datatype} [${s.shape.join(', ')}] on stable`;
    return { name, comparable: false, note, ...sides, changes: nonFinite };
  }
  if (!isFloatOutput(c)) {
    const agreement = equalShare(c, s);
    const changes = [...nonFinite, ...(agreement < thresholds.minTop1Agreement ? [`agreement ${fmt(agreement)} < ${thresholds.minTop1Agreement}`] : [])];
    return { name, comparable: true, ...sides, agreement, changes };
  }
  const deltas = floatDeltas(c, s);
  const top1 = isScore && c.shape.length === 2 ? top1Agreement(c, s) : undefined;
  const rowSums = c.shape.length === 2 && (c.shape[1] ?? 0) > 1 ? rowSumsOf(c, s, thresholds.rowSumTolerance) : undefined;
  const changes = [...nonFinite];
  if (top1 !== undefined && top1 < thresholds.minTop1Agreement) changes.push(`top-1 agreement ${fmt(top1)} < ${thresholds.minTop1Agreement}`);
  if (deltas.meanDelta !== null && deltas.meanDelta > thresholds.maxMeanDelta) {
    changes.push(
      `mean ${isScore ? 'score ' : ''}delta ${fmt(deltas.meanDelta)} of stable's scale > ${thresholds.maxMeanDelta} (max abs ${fmt(deltas.maxAbsDelta)})`,
    );
  }
  const meanLogDelta = rowSums?.probabilities ? logDelta(c, s) : undefined;
  if (meanLogDelta !== undefined && meanLogDelta !== null && meanLogDelta > thresholds.maxMeanLogDelta) {
    changes.push(`mean log-probability delta ${fmt(meanLogDelta)} > ${thresholds.maxMeanLogDelta}`);
  }
  if (rowSums?.probabilities && !rowSums.candidateSumsToOne) {
    changes.push(`rows no longer sum to 1 (stable: ${formatRange(rowSums.stable)}, candidate: ${formatRange(rowSums.candidate)})`);
  }
  return {
    name,
    comparable: true,
    ...sides,
    ...deltas,
    ...(meanLogDelta !== undefined ? { meanLogDelta } : {}),
    ...(top1 !== undefined ? { top1Agreement: top1 } : {}),
    ...(rowSums ? { rowSums: { probabilities: rowSums.probabilities, stable: rowSums.stable, candidate: rowSums.candidate } } : {}),
    changes,
  };
}

/** Value range and non-finite count of one side (floats only; other outputs report no range). */
function summary(t: Tensor | undefined): { range: ValueRange; nonFinite: number } {
  if (!t || !isFloatOutput(t)) return { range: { min: null, max: null }, nonFinite: 0 };
  let min = Infinity;
  let max = -Infinity;
  let nonFinite = 0;
  for (const v of t.data as Float32Array | Float64Array) {
    if (!Number.isFinite(v)) nonFinite++;
    else {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  return { range: finiteRange(min, max), nonFinite };
}

function floatDeltas(c: Tensor, s: Tensor): Required<Pick<OutputBehaviour, 'meanAbsDelta' | 'maxAbsDelta' | 'meanDelta' | 'relativeError'>> {
  const a = c.data as Float32Array | Float64Array;
  const b = s.data as Float32Array | Float64Array;
  const n = b.length;
  if (n === 0) return { meanAbsDelta: 0, maxAbsDelta: 0, meanDelta: 0, relativeError: { p50: 0, p99: 0, max: 0 } };
  let sumAbs = 0;
  let sumScale = 0;
  let maxAbs = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    sumAbs += d;
    maxAbs = Math.max(maxAbs, Number.isNaN(d) ? Infinity : d);
    sumScale += Math.abs(b[i] as number);
  }
  const scale = sumScale / n;
  // Relative errors of values near zero say nothing: floor the denominator at a thousandth of the scale.
  const floor = Math.max(scale * 1e-3, 1e-12);
  const relative = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = Math.abs((a[i] as number) - (b[i] as number)) / Math.max(Math.abs(b[i] as number), floor);
    relative[i] = Number.isNaN(r) ? Infinity : r;
  }
  relative.sort();
  const at = (q: number): number => relative[Math.min(n - 1, Math.ceil(q * n) - 1)] as number;
  return {
    meanAbsDelta: finiteOrNull(sumAbs / n),
    maxAbsDelta: finiteOrNull(maxAbs),
    meanDelta: finiteOrNull(sumAbs / n / Math.max(scale, 1e-12)),
    relativeError: { p50: finiteOrNull(at(0.5)), p99: finiteOrNull(at(0.99)), max: finiteOrNull(relative[n - 1] as number) },
  };
}

/** Mean |ln c − ln s| over elements, both floored at 1e-6 (a negative candidate value counts as the floor). */
function logDelta(c: Tensor, s: Tensor): number | null {
  const n = s.data.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.abs(Math.log(Math.max(Number(c.data[i]), 1e-6)) - Math.log(Math.max(Number(s.data[i]), 1e-6)));
  return finiteOrNull(sum / n);
}

/** Row sums of a rank-2 output on both sides; stable's rows are probabilities when each lies in [0, 1] and sums to 1. */
function rowSumsOf(c: Tensor, s: Tensor, tolerance: number) {
  const rows = c.shape[0] as number;
  const cols = c.shape[1] as number;
  const side = (t: Tensor) => {
    let min = Infinity;
    let max = -Infinity;
    let unitInterval = true;
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let k = 0; k < cols; k++) {
        const v = Number(t.data[r * cols + k]);
        sum += v;
        if (!(v >= -tolerance && v <= 1 + tolerance)) unitInterval = false;
      }
      min = Math.min(min, sum);
      max = Math.max(max, sum);
    }
    const sumsToOne = rows === 0 || (unitInterval && Math.abs(min - 1) <= tolerance && Math.abs(max - 1) <= tolerance);
    return { range: finiteRange(min, max), sumsToOne };
  };
  const stable = side(s);
  const candidate = side(c);
  return { probabilities: stable.sumsToOne, stable: stable.range, candidate: candidate.range, candidateSumsToOne: candidate.sumsToOne };
}

function equalShare(c: Tensor, s: Tensor): number {
  const n = s.data.length;
  if (n === 0) return 1;
  let equal = 0;
  for (let i = 0; i < n; i++) if (c.data[i] === s.data[i]) equal++;
  return equal / n;
}

function finiteRange(min: number, max: number): ValueRange {
  return { min: finiteOrNull(min), max: finiteOrNull(max) };
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function formatRange(r: ValueRange): string {
  if (r.min === null || r.max === null) return 'NaN/Inf';
  return r.max - r.min < 0.0005 ? r.min.toFixed(3) : `${r.min.toFixed(3)}–${r.max.toFixed(3)}`;
}

/** Four significant decimals, or ∞/NaN. */
export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '∞/NaN';
  return Math.abs(v) >= 0.01 || v === 0 ? v.toFixed(4).replace(/\.?0+$/, '') : v.toExponential(2);
}
