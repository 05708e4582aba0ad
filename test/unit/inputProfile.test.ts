/**
 * The one source of inputs: shapes from the profile (typical/min/max cycling) or default sizes (never
 * 1 for a dynamic axis other than the batch), constants, ranges, datatypes, the batch axis, what the
 * plan says it used, and a profile that disagrees with the model refused with the input named.
 */
import { concatRuns, DEFAULT_DYNAMIC_SIZE, planInputs, profileFeeds, profileInputs, profileProblems, sampleRows, shapeCycleLength } from '../../runtime';
import { decodeBundleRuns, encodeBundleRuns } from '../../runtime/tensorBundle';
import { parseOrThrow, pipelineSpec, type InputProfile, type TensorSpec } from '../../sdk/schemas';

const vad: TensorSpec[] = [
  { name: 'audio', datatype: 'FP32', shape: [1, -1] },
  { name: 'state', datatype: 'FP32', shape: [2, 1, 16] },
  { name: 'sr', datatype: 'INT64', shape: [] },
];
const profile: InputProfile = {
  inputs: {
    audio: { shape: [1, 512], min: [1, 64], max: [1, 1536], range: [-1, 1] },
    state: { shape: [2, 1, 16], value: 0 },
    sr: { value: 16000 },
  },
};

describe('planInputs without a profile', () => {
  test('a dynamic batch axis stacks the samples in one run; fixed dims stay as the model has them', () => {
    const plan = planInputs([{ name: 'x', datatype: 'FP32', shape: [-1, 4] }], undefined, { samples: 64 });
    expect(plan.stacked).toBe(true);
    expect(plan.runs.map((r) => r.map((t) => t.shape))).toEqual([[[64, 4]]]);
  });

  test('any other dynamic axis is the default size, never 1; a fixed batch gets one run per sample', () => {
    expect(DEFAULT_DYNAMIC_SIZE).toBeGreaterThan(1);
    const image = planInputs([{ name: 'image', datatype: 'FP32', shape: [-1, 3, -1, -1] }], undefined, { batchSize: 2 });
    expect(image.runs[0]?.[0]?.shape).toEqual([2, 3, DEFAULT_DYNAMIC_SIZE, DEFAULT_DYNAMIC_SIZE]);
    const plan = planInputs(vad, undefined, { samples: 5 });
    expect(plan.stacked).toBe(false);
    expect(plan.runs).toHaveLength(5);
    expect(plan.runs[0]?.map((t) => t.shape)).toEqual([[1, DEFAULT_DYNAMIC_SIZE], [2, 1, 16], []]);
    expect(plan.description).toContain(`audio [1,${DEFAULT_DYNAMIC_SIZE}] (dynamic axes ${DEFAULT_DYNAMIC_SIZE})`);
  });

  test('default values: floats around 0, integers 0-9, datatype-correct arrays', () => {
    const feeds = profileFeeds(
      [
        { name: 'f', datatype: 'FP32', shape: [-1, 200] },
        { name: 'i', datatype: 'INT64', shape: [-1, 200] },
        { name: 'h', datatype: 'FP16', shape: [-1, 2] },
        { name: 'b', datatype: 'BOOL', shape: [-1, 2] },
      ],
      undefined,
      { seed: 3 },
    );
    expect(feeds.f?.data).toBeInstanceOf(Float32Array);
    const floats = Array.from(feeds.f?.data as Float32Array);
    expect(floats.some((v) => v < 0) && floats.some((v) => v > 0) && floats.some((v) => Math.abs(v) > 1)).toBe(true);
    expect(feeds.i?.data).toBeInstanceOf(BigInt64Array);
    expect(Array.from(feeds.i?.data as BigInt64Array).every((v) => v >= 0n && v < 10n)).toBe(true);
    expect(feeds.h?.data).toBeInstanceOf(Uint16Array);
    expect(feeds.b?.data).toBeInstanceOf(Uint8Array);
  });

  test('the same seed gives the same inputs', () => {
    expect(profileInputs(vad, undefined, { samples: 2, seed: 9 })).toEqual(profileInputs(vad, undefined, { samples: 2, seed: 9 }));
  });
});

describe('planInputs with a profile', () => {
  test('shapes cycle typical, min, max across samples; constants and ranges; a scalar int64 input', () => {
    const runs = profileInputs(vad, profile, { samples: 4, seed: 1 });
    expect(runs.map((r) => r.audio?.shape)).toEqual([
      [1, 512],
      [1, 64],
      [1, 1536],
      [1, 512],
    ]);
    for (const run of runs) {
      expect(Array.from(run.audio?.data as Float32Array).every((v) => v >= -1 && v <= 1)).toBe(true);
      expect(Array.from(run.state?.data as Float32Array).every((v) => v === 0)).toBe(true);
      expect(run.state?.shape).toEqual([2, 1, 16]);
      expect(run.sr).toEqual({ datatype: 'INT64', shape: [], data: new BigInt64Array([16000n]) });
    }
    expect(shapeCycleLength(profile)).toBe(3);
    expect(planInputs(vad, profile, { samples: 4 }).description).toBe(
      'audio [1,512]|[1,64]|[1,1536] from profile, uniform [-1, 1]; state [2,1,16] from profile = 0; sr scalar = 16000 (4 run(s))',
    );
  });

  test('an integer range draws low ≤ v < high', () => {
    const feeds = profileFeeds([{ name: 'ids', datatype: 'INT32', shape: [-1, 300] }], { inputs: { ids: { range: [5, 8] } } });
    const values = Array.from(feeds.ids?.data as Int32Array);
    expect(new Set(values)).toEqual(new Set([5, 6, 7]));
  });

  test('a batch size asked (benchmarks) replaces a dynamic batch axis of the profile shape', () => {
    const feeds = profileFeeds([{ name: 'audio', datatype: 'FP32', shape: [-1, -1] }], { inputs: { audio: { shape: [1, 512] } } }, { batchSize: 8 });
    expect(feeds.audio?.shape).toEqual([8, 512]);
  });
});

describe('profileProblems', () => {
  test('a shape whose rank or fixed dims disagree with the model, or an unknown input, is named', () => {
    expect(profileProblems(vad, profile)).toEqual([]);
    expect(profileProblems(vad, { inputs: { audio: { shape: [1, 512, 1] } } })).toEqual([
      "profile shape of input 'audio' is [1, 512, 1], rank 3; the model's audio is [1, -1], rank 2",
    ]);
    expect(profileProblems(vad, { inputs: { state: { max: [2, 2, 16] } } })[0]).toMatch(/profile max of input 'state' .*fixed dims differ/);
    expect(profileProblems(vad, { inputs: { audoi: { value: 0 } } })[0]).toMatch(/names input 'audoi', which the model does not have/);
  });

  test('the spec schema refuses a value with a range, and shapes of different ranks', () => {
    const spec = (audio: object) => ({ endpoint: 'vad', version: 'v1', model: { source: './vad.onnx', profile: { inputs: { audio } } } });
    expect(parseOrThrow(pipelineSpec, spec({ shape: [1, 512], range: [-1, 1] }), 'test').model.profile?.inputs.audio?.shape).toEqual([1, 512]);
    expect(() => parseOrThrow(pipelineSpec, spec({ value: 0, range: [-1, 1] }), 'test')).toThrow(/either `range` or `value`/);
    expect(() => parseOrThrow(pipelineSpec, spec({ shape: [1, 512], min: [64] }), 'test')).toThrow(/same rank/);
  });
});

describe('runs', () => {
  test('a bundle of several runs round-trips; one run is a one-set bundle', () => {
    const runs = profileInputs(vad, profile, { samples: 3 });
    expect(decodeBundleRuns(encodeBundleRuns(runs))).toEqual(runs);
    expect('tensors' in encodeBundleRuns(runs.slice(0, 1))).toBe(true);
  });

  test('runs concatenate along the first axis when the other axes agree, else flatten', () => {
    const runs = profileInputs(vad, profile, { samples: 3 });
    const all = concatRuns(runs);
    expect(all.state?.shape).toEqual([6, 1, 16]);
    expect(all.audio?.shape).toEqual([512 + 64 + 1536]);
    expect(all.sr?.shape).toEqual([3]);
  });

  test('a sample set gives one set of inputs per sample', () => {
    const rows = sampleRows(
      {
        audio: { datatype: 'FP32', shape: [2, 4], data: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]) },
        state: { datatype: 'FP32', shape: [2, 2, 1, 16], data: new Float32Array(64) },
        sr: { datatype: 'INT64', shape: [2], data: new BigInt64Array([16000n, 8000n]) },
      },
      vad,
    );
    expect(rows).toHaveLength(2);
    expect(rows[1]?.audio).toEqual({ datatype: 'FP32', shape: [1, 4], data: new Float32Array([5, 6, 7, 8]) });
    expect(rows[1]?.state?.shape).toEqual([2, 1, 16]);
    expect(rows[1]?.sr).toEqual({ datatype: 'INT64', shape: [], data: new BigInt64Array([8000n]) });
  });
});
