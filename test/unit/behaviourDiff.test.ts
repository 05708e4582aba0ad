/**
 * The behaviour gate's measures and decision on known answers: identical outputs pass; swapped
 * classes, doubled logits, a removed softmax and NaN fail with what changed; a small perturbation
 * (a retrain) passes; an accepted change passes with the diff recorded.
 */
import { behaviourVerdict, compareOutputs } from '../../activities/validate/behaviourDiff';
import { halfFromFloat } from '../../runtime/syntheticInputs';
import type { Tensor, TensorMap } from '../../runtime';
import { behaviourGate, type ReplaySetBehaviour } from '../../sdk/schemas';
import { behaviourSummary } from '../../sdk/behaviourSummary';

const gate = behaviourGate.parse({});
const ROWS = 64;
const CLASSES = 3;

/** Deterministic logits in [-2, 2], one row per sample. */
function logits(): Float32Array {
  const out = new Float32Array(ROWS * CLASSES);
  let state = 12345;
  for (let i = 0; i < out.length; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    out[i] = (state / 2 ** 31) * 4 - 2;
  }
  return out;
}

function softmax(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < ROWS; r++) {
    const row = x.subarray(r * CLASSES, (r + 1) * CLASSES);
    const max = Math.max(...row);
    const sum = row.reduce((s, v) => s + Math.exp(v - max), 0);
    for (let c = 0; c < CLASSES; c++) out[r * CLASSES + c] = Math.exp((row[c] as number) - max) / sum;
  }
  return out;
}

function argmax(x: Float32Array): BigInt64Array {
  const out = new BigInt64Array(ROWS);
  for (let r = 0; r < ROWS; r++) {
    const row = Array.from(x.subarray(r * CLASSES, (r + 1) * CLASSES));
    out[r] = BigInt(row.indexOf(Math.max(...row)));
  }
  return out;
}

const scores = (data: Float32Array): Tensor => ({ datatype: 'FP32', shape: [ROWS, CLASSES], data });
const labels = (data: BigInt64Array): Tensor => ({ datatype: 'INT64', shape: [ROWS], data });

/** What the example classifier answers: probabilities and a label. */
function answers(z: Float32Array): TensorMap {
  return { probabilities: scores(softmax(z)), label: labels(argmax(z)) };
}

const stable = answers(logits());

function judge(candidate: TensorMap, options: { against?: TensorMap; accept?: string } = {}) {
  const outputs = compareOutputs(candidate, options.against ?? stable, 'probabilities', gate);
  const sets: ReplaySetBehaviour[] = [{ name: 'golden', samples: ROWS, outputs }];
  return { outputs, ...behaviourVerdict(sets, undefined, { ...gate, acceptChange: options.accept }) };
}

const map = (x: Float32Array, f: (v: number, i: number) => number): Float32Array => Float32Array.from(x, f);

test('identical answers pass with agreement 1 and no delta', () => {
  const verdict = judge(answers(logits()));
  expect(verdict).toMatchObject({ passed: true, changes: [] });
  const [probabilities, label] = verdict.outputs;
  expect(probabilities).toMatchObject({
    name: 'probabilities',
    comparable: true,
    top1Agreement: 1,
    meanAbsDelta: 0,
    maxAbsDelta: 0,
    meanDelta: 0,
    meanLogDelta: 0,
  });
  expect(probabilities?.rowSums?.probabilities).toBe(true);
  expect(probabilities?.relativeError).toEqual({ p50: 0, p99: 0, max: 0 });
  expect(label).toMatchObject({ name: 'label', agreement: 1, changes: [] });
});

test('a small perturbation of the logits (a retrain) passes, with its diff measured', () => {
  const verdict = judge(answers(map(logits(), (v, i) => v + 0.02 * Math.sin(i))));
  expect(verdict.passed).toBe(true);
  const [probabilities] = verdict.outputs;
  expect(probabilities?.meanDelta).toBeGreaterThan(0);
  expect(probabilities?.meanDelta).toBeLessThan(gate.maxMeanDelta);
  expect(probabilities?.top1Agreement).toBeGreaterThanOrEqual(gate.minTop1Agreement);
});

test('swapped classes fail on top-1 agreement and the score delta', () => {
  const swapped = map(logits(), (_, i) => logits()[i - (i % CLASSES) + ([1, 0, 2][i % CLASSES] as number)] as number);
  const verdict = judge(answers(swapped));
  expect(verdict.passed).toBe(false);
  expect(verdict.changes[0]).toMatch(/^probabilities on 64 golden inputs: top-1 agreement 0\.\d+ < 0\.95, mean score delta \d\.\d+ of stable's scale > 0\.03/);
  expect(verdict.changes[1]).toMatch(/^label on 64 golden inputs: agreement 0\.\d+ < 0\.95$/);
});

test('classes the replay inputs never make likely, swapped, fail on the log-probability delta', () => {
  // Class 0 always wins by far; classes 1 and 2 are unlikely and unequal. Swapping them moves little probability.
  const lopsided = map(logits(), (v, i) => (i % CLASSES === 0 ? 8 : i % CLASSES === 1 ? -1 : 0));
  const swapped = map(lopsided, (v, i) => (i % CLASSES === 1 ? 0 : i % CLASSES === 2 ? -1 : v));
  const verdict = judge(answers(swapped), { against: answers(lopsided) });
  const [probabilities] = verdict.outputs;
  expect(probabilities?.top1Agreement).toBe(1);
  expect(probabilities?.meanDelta).toBeLessThan(gate.maxMeanDelta);
  expect(probabilities?.meanLogDelta).toBeCloseTo(2 / 3, 2);
  expect(verdict.changes).toEqual(['probabilities on 64 golden inputs: mean log-probability delta 0.6667 > 0.1']);
});

test('doubled logits keep the top class but fail on the score distribution', () => {
  const verdict = judge(answers(map(logits(), (v) => v * 2)));
  expect(verdict.outputs[0]?.top1Agreement).toBe(1);
  expect(verdict.passed).toBe(false);
  expect(verdict.changes).toEqual([
    expect.stringMatching(
      /^probabilities on 64 golden inputs: mean score delta 0\.\d+ of stable's scale > 0\.03 \(max abs 0\.\d+\), mean log-probability delta 0\.\d+ > 0\.1$/,
    ),
  ]);
});

test('doubled logits served as logits fail on the delta (no probabilities involved)', () => {
  const plain = { logits: scores(logits()) };
  const outputs = compareOutputs({ logits: scores(map(logits(), (v) => v * 2)) }, plain, 'logits', gate);
  expect(outputs[0]?.meanDelta).toBeCloseTo(1, 5);
  expect(outputs[0]?.rowSums?.probabilities).toBe(false);
  expect(outputs[0]?.changes).toEqual([expect.stringMatching(/^mean score delta 1 of stable's scale > 0\.03/)]);
});

test('a removed softmax (logits under the probabilities name) fails: rows no longer sum to 1', () => {
  const verdict = judge({ probabilities: scores(logits()), label: labels(argmax(logits())) });
  expect(verdict.passed).toBe(false);
  const [probabilities] = verdict.outputs;
  expect(probabilities?.top1Agreement).toBe(1);
  expect(probabilities?.rowSums).toMatchObject({ probabilities: true, stable: { min: expect.closeTo(1, 5), max: expect.closeTo(1, 5) } });
  expect(verdict.changes[0]).toMatch(/rows no longer sum to 1 \(stable: 1\.000, candidate: -?\d\.\d{3}–\d\.\d{3}\)/);
});

test('NaN in the candidate fails whatever the rest says', () => {
  const data = softmax(logits());
  data[5] = NaN;
  const verdict = judge({ probabilities: scores(data), label: labels(argmax(logits())) });
  expect(verdict.passed).toBe(false);
  expect(verdict.outputs[0]).toMatchObject({ candidate: { nonFinite: 1 }, stable: { nonFinite: 0 }, meanAbsDelta: null, maxAbsDelta: null });
  expect(verdict.changes[0]).toMatch(/1 NaN\/Inf values \(stable: 0\)/);
});

test('an accepted change passes and records the diff and the reason', () => {
  const verdict = judge(answers(map(logits(), (v) => v * 2)), { accept: 'sharper calibration, ticket ML-7' });
  expect(verdict).toMatchObject({ passed: true, acceptedChange: 'sharper calibration, ticket ML-7' });
  expect(verdict.changes).toHaveLength(1);
});

test('accuracy against stable: a drop beyond the allowed one is a change', () => {
  const same = [{ name: 'evaluation' as const, samples: 10, outputs: [] }];
  expect(behaviourVerdict(same, { stable: 0.9, candidate: 0.895, drop: 0.005 }, gate).passed).toBe(true);
  const dropped = behaviourVerdict(same, { stable: 0.9, candidate: 0.7, drop: 0.2 }, gate);
  expect(dropped.passed).toBe(false);
  expect(dropped.changes).toEqual(["accuracy on the evaluation set 0.7 is 0.2 below stable's 0.9 (at most 0.01)"]);
});

test('outputs that cannot be compared are noted, not judged; an output stable lacks is noted', () => {
  const outputs = compareOutputs(
    { probabilities: { datatype: 'FP32', shape: [ROWS, 4], data: new Float32Array(ROWS * 4) }, extra: scores(logits()) },
    stable,
    undefined,
    gate,
  );
  expect(outputs.map((o) => [o.name, o.comparable, o.changes])).toEqual([
    ['probabilities', false, []],
    ['extra', false, []],
  ]);
  expect(outputs[0]?.note).toMatch(/not compared: FP32 \[64, 4\] here, FP32 \[64, 3\] on stable/);
});

test('regressor outputs report the relative error distribution', () => {
  const y = (f: (i: number) => number): TensorMap => ({ y: { datatype: 'FP32', shape: [ROWS, 1], data: Float32Array.from({ length: ROWS }, (_, i) => f(i)) } });
  const [out] = compareOutputs(
    y((i) => 10 + i * 1.01),
    y((i) => 10 + i),
    undefined,
    gate,
  );
  expect(out?.relativeError?.max).toBeLessThan(0.01);
  expect(out?.relativeError?.p50).toBeGreaterThan(0);
  expect(out?.rowSums).toBeUndefined();
  expect(out?.changes).toEqual([]);
});

test('the one-line summary says what was compared and the verdict', () => {
  const verdict = judge(answers(map(logits(), (v) => v * 2)));
  const diff = {
    status: 'compared' as const,
    stable: { version: 'v1', digest: 'a'.repeat(64), comparedDigest: 'a'.repeat(64) },
    sets: [{ name: 'golden' as const, samples: ROWS, outputs: verdict.outputs }],
    changes: verdict.changes,
    passed: verdict.passed,
  };
  expect(behaviourSummary(diff)).toMatch(/^behaviour vs stable v1 on 64 golden inputs: top-1 agreement 1, mean score delta 0\.\d+; changed$/);
  expect(behaviourSummary({ status: 'skipped', note: 'no stable version to compare with (first deployment)', sets: [], changes: [], passed: true })).toBe(
    'behaviour vs stable skipped: no stable version to compare with (first deployment)',
  );
});

test('a candidate that fails on inputs the stable version answers is a change, unless accepted', () => {
  const failure = 'the candidate fails on captured inputs stable answers: Invalid rank for input: features';
  expect(behaviourVerdict([], undefined, gate, [failure])).toEqual({ changes: [failure], passed: false });
  expect(behaviourVerdict([], undefined, { ...gate, acceptChange: 'new input layout' }, [failure])).toMatchObject({
    passed: true,
    acceptedChange: 'new input layout',
  });
});

test('FP16 outputs are compared as the numbers their half bits stand for: a close retrain passes, NaN is a change', () => {
  const half = (data: Float32Array): Tensor => ({ datatype: 'FP16', shape: [ROWS, CLASSES], data: Uint16Array.from(data, halfFromFloat) });
  const z = logits();
  const fp16Stable = { probabilities: half(softmax(z)) };
  const retrained = { probabilities: half(softmax(map(z, (v) => v * 1.001))) };
  expect(judge(retrained, { against: fp16Stable })).toMatchObject({ passed: true });
  const withNaN = softmax(z);
  withNaN[0] = NaN;
  expect(judge({ probabilities: half(withNaN) }, { against: fp16Stable }).changes.join('; ')).toMatch(/NaN\/Inf/);
});
