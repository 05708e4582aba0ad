/** NaN/Inf in served answers: which outputs, how many values, and the 500 that names them. */
import { HttpError } from '../../protocol/httpError';
import { countNonFinite, floatFromHalf, isNonFiniteAt } from '../../runtime/nonFiniteValues';
import { halfFromFloat, type Tensor } from '../../runtime';
import { NonFiniteOutputError, nonFiniteOutputs, refuseNonFinite } from '../../serving/nonFiniteOutputs';

const fp32 = (values: number[]): Tensor => ({ datatype: 'FP32', shape: [values.length], data: Float32Array.from(values) });

test('counts NaN and ±Inf in float tensors only, over a range', () => {
  const t = fp32([1, Number.NaN, Number.POSITIVE_INFINITY, -3.4e38, Number.NEGATIVE_INFINITY]);
  expect(countNonFinite(t)).toBe(3);
  expect(countNonFinite(t, 3, 2)).toBe(1);
  expect(isNonFiniteAt(t, 3)).toBe(false);
  expect(isNonFiniteAt(fp32([-Number.MAX_VALUE]), 0)).toBe(true); // beyond FP32's range: stored as -Inf
  const half: Tensor = { datatype: 'FP16', shape: [4], data: Uint16Array.from([halfFromFloat(1), 0x7c00, 0xfc00, 0x7e01]) };
  expect(countNonFinite(half)).toBe(3);
  expect(countNonFinite({ datatype: 'INT32', shape: [2], data: Int32Array.from([0x7c00, -1]) })).toBe(0);
  expect(countNonFinite({ datatype: 'BYTES', shape: [1], data: ['NaN'] })).toBe(0);
});

test('a finite answer passes; a non-finite one is a 500 naming each output with its counts and the version', () => {
  expect(() => refuseNonFinite('iris', 'v1', { probabilities: fp32([0.2, 0.8]) })).not.toThrow();
  const outputs = { probabilities: fp32([Number.NaN, Number.NaN]), label: { datatype: 'INT64', shape: [1], data: BigInt64Array.from([0n]) } as Tensor };
  expect(nonFiniteOutputs(outputs)).toEqual([{ name: 'probabilities', nonFinite: 2, values: 2 }]);
  let error: unknown;
  try {
    refuseNonFinite('iris', 'v2', outputs);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(NonFiniteOutputError);
  expect(error).toBeInstanceOf(HttpError);
  expect((error as HttpError).status).toBe(500);
  expect((error as HttpError).message).toBe("model iris/v2 produced non-finite values (NaN or Inf) in output 'probabilities' (2 of 2 values)");
  expect((error as HttpError).headers).toEqual({ 'x-modelship-version': 'v2' });
  const two = new NonFiniteOutputError('e', 'v', [
    { name: 'a', nonFinite: 1, values: 4 },
    { name: 'b', nonFinite: 4, values: 4 },
  ]);
  expect(two.message).toBe("model e/v produced non-finite values (NaN or Inf) in outputs 'a' (1 of 4 values), 'b' (4 of 4 values)");
});

test('half bits decode to the numbers they stand for', () => {
  expect([0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00, 0xfc00].map(floatFromHalf)).toEqual([1, -2, 0.333251953125, 2 ** -24, Infinity, -Infinity]);
  expect(floatFromHalf(0x7e00)).toBeNaN();
});
