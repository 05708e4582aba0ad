/**
 * Numerical parity of a candidate's outputs against the source framework's reference outputs,
 * with the rule of the pass that made the candidate. Pure.
 *
 *   convert, graph  every element within atol + rtol·|ref| (default 1e-5 / 1e-5); integers equal
 *   fp16            the 99th percentile of elements within atol 1e-3 + rtol 1e-2·|ref|; integers 99% equal
 *   transformer     every element within atol 1e-4 + rtol 1e-3 (fused kernels sum in another order)
 *   int8            classifiers: top-1 agreement ≥ the configured minimum; otherwise judged by accuracy
 *   transformer-int8  as int8; float outputs of other models: RMS error ≤ 1% of the reference's RMS (≥ 40 dB
 *                   signal to quantization noise), for the features a transformer block hands on
 * NaN or Inf anywhere in a candidate's output fails, whatever the rule.
 */
import type { OutputParity, TensorSpec } from '../../sdk/schemas';
import type { Tensor, TensorMap } from '../../runtime/tensor';
import { concatRuns } from '../../runtime/tensorRuns';

export interface ParityPolicy {
  pass: string;
  /** Per-output tolerance overrides (convert/graph). */
  tolerances: Record<string, { atol: number; rtol: number }>;
  int8MinAgreement: number;
  /** The classifier's score output, if the model is a classifier. */
  scoreOutput?: string;
  /** An evaluation set judges int8 instead of agreement (regressors, `other`). */
  judgedByAccuracy: boolean;
}

const EXACT = { atol: 1e-5, rtol: 1e-5 };
const FP16 = { atol: 1e-3, rtol: 1e-2 };
const FUSED = { atol: 1e-4, rtol: 1e-3 };
/** Largest RMS error of a quantized transformer's float output, relative to the reference's RMS. */
const MAX_RELATIVE_RMS_ERROR = 0.01;

/** Passes whose copies are quantized to int8 (judged by agreement or accuracy, not element-wise). */
export function isInt8Pass(pass: string): boolean {
  return pass === 'int8' || pass === 'transformer-int8';
}

export function isFloat(t: Pick<Tensor, 'datatype'>): boolean {
  return t.datatype === 'FP32' || t.datatype === 'FP64' || t.datatype === 'FP16';
}

/** The score output of a classifier: the named one, or the first float output of rank 2 with > 1 column. */
export function scoreOutputOf(outputs: readonly TensorSpec[], named?: string): string | undefined {
  if (named) return named;
  return outputs.find((o) => (o.datatype === 'FP32' || o.datatype === 'FP64') && o.shape.length === 2 && o.shape[1] !== 1)?.name;
}

export function compareWithReference(candidate: TensorMap, reference: TensorMap, policy: ParityPolicy): OutputParity[] {
  return Object.entries(reference).map(([name, ref]) => finite(compareOutput(name, candidate[name], ref, policy)));
}

/**
 * Parity over several runs (golden inputs fed one run at a time): judged on the runs' outputs
 * together; the first run whose output shapes differ from the reference's is judged alone.
 */
export function compareRunsWithReference(candidate: readonly TensorMap[], reference: readonly TensorMap[], policy: ParityPolicy): OutputParity[] {
  const differs = reference.findIndex((ref, i) => Object.entries(ref).some(([name, t]) => candidate[i]?.[name]?.shape.join('x') !== t.shape.join('x')));
  if (differs >= 0) return compareWithReference(candidate[differs] ?? {}, reference[differs] as TensorMap, policy);
  return compareWithReference(concatRuns(candidate), concatRuns(reference), policy);
}

/** Infinite or NaN measures become null: reports travel as JSON. */
function finite(p: OutputParity): OutputParity {
  const f = (v: number | null): number | null => (v !== null && Number.isFinite(v) ? v : null);
  return { ...p, maxAbsError: f(p.maxAbsError), meanAbsError: f(p.meanAbsError), p99AbsError: f(p.p99AbsError), maxRelError: f(p.maxRelError) };
}

function compareOutput(name: string, got: Tensor | undefined, ref: Tensor, policy: ParityPolicy): OutputParity {
  const base = { name, maxAbsError: 0, meanAbsError: 0, p99AbsError: 0, maxRelError: 0, violations: 0, nonFinite: 0 };
  if (!got) {
    return { ...base, shapeMatch: false, dtypeMatch: false, criterion: 'output present', passed: false, maxAbsError: Infinity };
  }
  const shapeMatch = got.shape.join('x') === ref.shape.join('x');
  const dtypeMatch = got.datatype === ref.datatype;
  if (!shapeMatch || !dtypeMatch) {
    return {
      ...base,
      shapeMatch,
      dtypeMatch,
      maxAbsError: Infinity,
      criterion: `same shape and datatype (got ${got.datatype} [${got.shape.join(', ')}], reference ${ref.datatype} [${ref.shape.join(', ')}])`,
      passed: false,
    };
  }
  const n = ref.data.length;
  const tolerance = policy.pass === 'fp16' ? FP16 : (policy.tolerances[name] ?? (policy.pass === 'transformer' ? FUSED : EXACT));
  const errors = new Float64Array(n);
  const excess = new Float64Array(n);
  let nonFinite = 0;
  let maxRel = 0;
  let equal = 0;
  for (let i = 0; i < n; i++) {
    const a = Number(got.data[i]);
    const b = Number(ref.data[i]);
    if (!Number.isFinite(a)) nonFinite++;
    const err = Math.abs(a - b);
    errors[i] = Number.isFinite(err) ? err : Infinity;
    excess[i] = (errors[i] as number) - (tolerance.atol + tolerance.rtol * Math.abs(b));
    maxRel = Math.max(maxRel, (errors[i] as number) / Math.max(Math.abs(b), 1e-12));
    if (a === b) equal++;
  }
  const sorted = Float64Array.from(errors).sort();
  const stats: { maxAbsError: number; meanAbsError: number; p99AbsError: number; maxRelError: number; violations: number; nonFinite: number } = {
    maxAbsError: n ? (sorted[n - 1] as number) : 0,
    meanAbsError: n ? errors.reduce((s, e) => s + e, 0) / n : 0,
    p99AbsError: n ? (sorted[Math.min(n - 1, Math.ceil(0.99 * n) - 1)] as number) : 0,
    maxRelError: maxRel,
    violations: excess.filter((e) => e > 0).length,
    nonFinite,
  };
  const top1 = name === policy.scoreOutput && ref.shape.length === 2 ? top1Agreement(got, ref) : undefined;
  const result = (criterion: string, passed: boolean): OutputParity => ({
    ...base,
    ...stats,
    shapeMatch,
    dtypeMatch,
    ...(top1 !== undefined ? { top1Agreement: top1 } : {}),
    criterion,
    passed: passed && nonFinite === 0,
  });

  if (isInt8Pass(policy.pass)) {
    const { criterion, passed } = judgeInt8(policy, { top1, ref, agreement: n ? equal / n : 1, errors });
    return result(criterion, passed);
  }
  if (!isFloat(ref)) {
    if (policy.pass === 'fp16') return result('≥ 99% equal', n === 0 || equal / n >= 0.99);
    return result('equal', equal === n);
  }
  if (policy.pass === 'fp16') {
    const sortedExcess = Float64Array.from(excess).sort();
    const p99 = n ? (sortedExcess[Math.min(n - 1, Math.ceil(0.99 * n) - 1)] as number) : 0;
    return result(`p99 within atol ${tolerance.atol} + rtol ${tolerance.rtol}`, p99 <= 0);
  }
  return result(`every element within atol ${tolerance.atol} + rtol ${tolerance.rtol}`, stats.violations === 0);
}

/** Share of rows whose argmax is the same. */
export function top1Agreement(a: Tensor, b: Tensor): number {
  const rows = a.shape[0] as number;
  const cols = a.shape[1] as number;
  if (!rows) return 1;
  let agree = 0;
  for (let r = 0; r < rows; r++) if (argmaxRow(a, r, cols) === argmaxRow(b, r, cols)) agree++;
  return agree / rows;
}

export function argmaxRow(t: Tensor, row: number, cols: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let c = 0; c < cols; c++) {
    const v = Number(t.data[row * cols + c]);
    if (v > bestValue) {
      bestValue = v;
      best = c;
    }
  }
  return best;
}

/** The rule for int8 copies (int8 and transformer-int8 alike): top-1 or exact agreement, the evaluation set, else the RMS error of float outputs. */
function judgeInt8(
  policy: ParityPolicy,
  output: { top1: number | undefined; ref: Tensor; agreement: number; errors: Float64Array },
): { criterion: string; passed: boolean } {
  const min = policy.int8MinAgreement;
  if (output.top1 !== undefined) return { criterion: `top-1 agreement ≥ ${min}`, passed: output.top1 >= min };
  if (!isFloat(output.ref)) return { criterion: `agreement ≥ ${min}`, passed: output.agreement >= min };
  if (policy.judgedByAccuracy) return { criterion: 'judged by accuracy on the evaluation set', passed: true };
  if (policy.scoreOutput !== undefined) return { criterion: 'judged by top-1 agreement of the score output', passed: true };
  // A model that is neither a classifier nor judged on an evaluation set (features, embeddings, a regressor).
  const relative = relativeRmsError(output.errors, output.ref);
  return {
    criterion: `RMS error ≤ ${MAX_RELATIVE_RMS_ERROR * 100}% of the reference's (got ${(relative * 100).toFixed(2)}%)`,
    passed: relative <= MAX_RELATIVE_RMS_ERROR,
  };
}

/** RMS of the errors over RMS of the reference (0 when both are 0). */
function relativeRmsError(errors: Float64Array, ref: Pick<Tensor, 'data'>): number {
  let err = 0;
  let signal = 0;
  for (let i = 0; i < errors.length; i++) {
    err += (errors[i] as number) ** 2;
    signal += Number(ref.data[i]) ** 2;
  }
  return err === 0 ? 0 : signal === 0 ? Infinity : Math.sqrt(err / signal);
}
