/** Shadow comparison of two answers: agreement per row, and NaN/Inf rows as disagreements. */
import { compareOutputs, predictionOf } from '../../serving/outputComparison';
import { halfFromFloat, type Tensor, type TensorMap } from '../../runtime';

const fp32 = (shape: number[], values: number[]): Tensor => ({ datatype: 'FP32', shape, data: Float32Array.from(values) });
const probs = (rows: number[][]): TensorMap => ({ probabilities: fp32([rows.length, 3], rows.flat()) });

test('rows agree on the top-1 class of classifier outputs and on close regression values', () => {
  expect(compareOutputs(probs([[0.1, 0.8, 0.1]]), probs([[0.2, 0.7, 0.1]]))).toEqual({
    rows: 1,
    agreedRows: 1,
    nonFiniteRows: 0,
    maxAbsDiff: expect.closeTo(0.1, 5),
  });
  const served = { y: fp32([2], [1, 2]) };
  expect(compareOutputs(served, { y: fp32([2], [1, 2.5]) })).toMatchObject({ rows: 2, agreedRows: 1, nonFiniteRows: 0 });
});

test('a row with NaN on either side disagrees, even when the top-1 class would match', () => {
  const served = probs([
    [0.1, 0.8, 0.1],
    [0.6, 0.3, 0.1],
  ]);
  const candidate = probs([
    [Number.NaN, Number.NaN, Number.NaN],
    [0.6, 0.3, 0.1],
  ]);
  expect(compareOutputs(served, candidate)).toEqual({ rows: 2, agreedRows: 1, nonFiniteRows: 1, maxAbsDiff: Number.POSITIVE_INFINITY });
  expect(compareOutputs(candidate, served)).toEqual({ rows: 2, agreedRows: 1, nonFiniteRows: 1, maxAbsDiff: Number.POSITIVE_INFINITY });
  // Both sides NaN: argmax of all-NaN rows would both be class 0, still not an agreement.
  expect(compareOutputs(candidate, candidate)).toMatchObject({ rows: 2, agreedRows: 1, nonFiniteRows: 1 });
});

test('Inf counts like NaN, in FP32, FP64 and FP16 (half bits) outputs, and equal infinities do not agree', () => {
  const inf = Number.POSITIVE_INFINITY;
  expect(compareOutputs({ y: fp32([1, 1], [inf]) }, { y: fp32([1, 1], [inf]) })).toMatchObject({ agreedRows: 0, nonFiniteRows: 1 });
  const fp64 = (v: number): TensorMap => ({ y: { datatype: 'FP64', shape: [1], data: Float64Array.from([v]) } });
  expect(compareOutputs(fp64(1), fp64(-inf))).toMatchObject({ agreedRows: 0, nonFiniteRows: 1 });
  const fp16 = (v: number): TensorMap => ({ y: { datatype: 'FP16', shape: [1, 2], data: Uint16Array.from([halfFromFloat(0.5), halfFromFloat(v)]) } });
  expect(compareOutputs(fp16(0.25), fp16(0.25))).toMatchObject({ agreedRows: 1, nonFiniteRows: 0 });
  expect(compareOutputs(fp16(0.25), fp16(inf))).toMatchObject({ agreedRows: 0, nonFiniteRows: 1 });
  expect(compareOutputs(fp16(0.25), { y: { datatype: 'FP16', shape: [1, 2], data: Uint16Array.from([0, 0x7e00]) } })).toMatchObject({ nonFiniteRows: 1 });
});

test('a non-finite row is one disagreement however many outputs hold NaN; integer outputs are never non-finite', () => {
  const served: TensorMap = { a: fp32([1, 2], [1, 2]), b: fp32([1], [3]), label: { datatype: 'INT64', shape: [1], data: BigInt64Array.from([2n]) } };
  const candidate: TensorMap = { a: fp32([1, 2], [Number.NaN, 2]), b: fp32([1], [Number.NaN]), label: served.label as Tensor };
  expect(compareOutputs(served, candidate)).toEqual({ rows: 1, agreedRows: 0, nonFiniteRows: 1, maxAbsDiff: Number.POSITIVE_INFINITY });
});

test('predictions skip NaN/Inf answers (the stats window holds numbers only)', () => {
  expect(predictionOf(probs([[0.1, 0.8, 0.1]]))).toBe(1);
  expect(predictionOf(probs([[0.1, Number.NaN, 0.1]]))).toBeUndefined();
  expect(predictionOf({ y: fp32([1], [Number.NEGATIVE_INFINITY]) })).toBeUndefined();
  expect(predictionOf({ y: fp32([2], [0.5, Number.NaN]) })).toBe(0.5);
});

test('FP16 outputs are compared and predicted as the numbers their half bits stand for', () => {
  const half = (values: number[]): TensorMap => ({ logits: { datatype: 'FP16', shape: [1, values.length], data: Uint16Array.from(values, halfFromFloat) } });
  // Raw half bits of negative numbers sort backwards: -1 (0xbc00) is "smaller" than -2 (0xc000).
  expect(predictionOf(half([-1, -2]))).toBe(0);
  expect(compareOutputs(half([-1, -2]), half([-1, -2])).agreedRows).toBe(1);
  expect(compareOutputs(half([-1, -2]), half([-2, -1])).agreedRows).toBe(0);
});
