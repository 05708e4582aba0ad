/**
 * Comparing two models' answers to the same request (shadow traffic), and reducing an answer to
 * one prediction per request (for distribution checks). NaN or Inf is never an agreement.
 */
import { countNonFinite, widenHalf } from '../runtime/nonFiniteValues';
import type { Tensor, TensorMap } from '../runtime/tensor';

export interface OutputComparison {
  /** Rows (batch items) compared, and how many agreed. */
  rows: number;
  agreedRows: number;
  /** Rows with NaN or Inf in a float output on either side: each one a disagreement. */
  nonFiniteRows: number;
  /** Largest absolute difference over all numeric outputs (Infinity on shape mismatch or non-finite values). */
  maxAbsDiff: number;
}

/** Tolerance for "same answer" on non-classifier float outputs. */
const ATOL = 1e-5;
const RTOL = 1e-3;

/**
 * Rows agree when, for every output both have: classifier-like outputs (float, rank ≥ 2, last
 * dimension > 1) pick the same top-1 class; other float outputs are close (atol 1e-5, rtol 1e-3);
 * integer, boolean and string outputs are equal. A row with NaN or Inf in a float output of either
 * side disagrees (whatever the other side answered).
 */
export function compareOutputs(served: TensorMap, candidate: TensorMap): OutputComparison {
  let rows = 0;
  let maxAbsDiff = 0;
  let rowAgree: boolean[] | undefined;
  const nonFiniteRows = new Set<number>();
  for (const [name, servedTensor] of Object.entries(served)) {
    const candidateTensor = candidate[name];
    const n = servedTensor.shape.length > 0 ? (servedTensor.shape[0] as number) : 1;
    rows = Math.max(rows, n);
    rowAgree ??= new Array<boolean>(n).fill(true);
    if (!candidateTensor || candidateTensor.shape.join('x') !== servedTensor.shape.join('x') || candidateTensor.datatype !== servedTensor.datatype) {
      rowAgree.fill(false);
      maxAbsDiff = Number.POSITIVE_INFINITY;
      continue;
    }
    // FP16 compared as the numbers its half bits stand for.
    const a = widenHalf(servedTensor);
    const b = widenHalf(candidateTensor);
    const rowSize = n > 0 ? a.data.length / n : 0;
    const float = a.datatype === 'FP32' || a.datatype === 'FP64' || a.datatype === 'FP16';
    const classifier = float && a.shape.length >= 2 && (a.shape[a.shape.length - 1] as number) > 1;
    for (let r = 0; r < n; r++) {
      const start = r * rowSize;
      if (countNonFinite(a, start, rowSize) + countNonFinite(b, start, rowSize) > 0) {
        nonFiniteRows.add(r);
        rowAgree[r] = false;
        maxAbsDiff = Number.POSITIVE_INFINITY;
        continue;
      }
      let same = true;
      for (let i = start; i < start + rowSize; i++) {
        const x = a.data[i] as number | bigint | string;
        const y = b.data[i] as number | bigint | string;
        if (typeof x === 'string' || typeof y === 'string') {
          same &&= x === y;
          continue;
        }
        const diff = Math.abs(Number(x) - Number(y));
        if (diff > maxAbsDiff) maxAbsDiff = diff;
        if (!classifier) same &&= float ? diff <= ATOL + RTOL * Math.abs(Number(x)) : x === y;
      }
      if (classifier) same &&= argmax(a, start, rowSize) === argmax(b, start, rowSize);
      rowAgree[r] = (rowAgree[r] ?? true) && same;
    }
  }
  return { rows, agreedRows: rowAgree?.filter(Boolean).length ?? 0, nonFiniteRows: nonFiniteRows.size, maxAbsDiff };
}

/**
 * One number per request: the top-1 class of the first row of the first output, or its first value;
 * none when those values are NaN or Inf.
 */
export function predictionOf(outputs: TensorMap): number | undefined {
  const output = Object.values(outputs)[0];
  if (!output || output.data.length === 0 || Array.isArray(output.data)) return undefined;
  const last = output.shape.length >= 2 ? (output.shape[output.shape.length - 1] as number) : 1;
  // Only the first row is read: an FP16 output is widened for that row alone (this runs on every request).
  const first = output.datatype === 'FP16' ? widenHalf({ ...output, data: (output.data as Uint16Array).subarray(0, last) }) : output;
  const float = first.datatype === 'FP32' || first.datatype === 'FP64';
  if (countNonFinite(first, 0, float ? last : 1) > 0) return undefined;
  if (float && last > 1) return argmax(first, 0, last);
  return Number(first.data[0]);
}

function argmax(t: Tensor, start: number, size: number): number {
  let best = 0;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < size; i++) {
    const v = Number(t.data[start + i]);
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}
