/** How copies made by the transformer passes are judged against the reference outputs (activities/validate/parity.ts). */
import { compareWithReference, isInt8Pass, type ParityPolicy } from '../../activities/validate/parity';
import type { Tensor } from '../../runtime/tensor';

const tensor = (data: number[]): Tensor => ({ datatype: 'FP32', shape: [1, data.length], data: Float32Array.from(data) });
const policy = (pass: string, extra: Partial<ParityPolicy> = {}): ParityPolicy => ({
  pass,
  tolerances: {},
  int8MinAgreement: 0.99,
  judgedByAccuracy: false,
  ...extra,
});
const reference = Array.from({ length: 100 }, (_, i) => Math.sin(i) * 2);
const judge = (pass: string, noise: number, extra: Partial<ParityPolicy> = {}) =>
  compareWithReference({ y: tensor(reference.map((v, i) => v + (i % 2 ? noise : -noise))) }, { y: tensor(reference) }, policy(pass, extra))[0];

test('a fused copy may differ by summation order (atol 1e-4 + rtol 1e-3), not more', () => {
  expect(judge('transformer', 5e-5)?.passed).toBe(true);
  expect(judge('graph', 5e-5)?.passed).toBe(false);
  expect(judge('transformer', 1e-2)).toMatchObject({ passed: false, criterion: 'every element within atol 0.0001 + rtol 0.001' });
});

test('an int8 copy (plain or fused) of a model that is not a classifier is judged by its RMS error against the reference', () => {
  // RMS of the reference ≈ 1.41: 5e-3 noise is 0.35 %, 5e-2 is 3.5 %.
  for (const pass of ['transformer-int8', 'int8']) {
    expect(judge(pass, 5e-3)).toMatchObject({ passed: true, criterion: "RMS error ≤ 1% of the reference's (got 0.35%)" });
    expect(judge(pass, 5e-2)).toMatchObject({ passed: false, criterion: "RMS error ≤ 1% of the reference's (got 3.54%)" });
  }
});

test('a fused int8 copy of a classifier is judged like int8: by top-1 agreement', () => {
  expect(isInt8Pass('transformer-int8')).toBe(true);
  expect(judge('transformer-int8', 5e-3, { scoreOutput: 'y' })?.criterion).toBe('top-1 agreement ≥ 0.99');
});
