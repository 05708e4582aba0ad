import type { TensorSpec } from '../../sdk/schemas';
import { HttpError } from '../../protocol/httpError';
import { decodeInputs, decodeTensor, encodeOutputs, parseInferRequest, requestedOutputs } from '../../protocol/kserveProtocol';
import { floatFromHalf } from '../../runtime/nonFiniteValues';
import { halfFromFloat } from '../../runtime';

const specs: TensorSpec[] = [
  { name: 'features', datatype: 'FP32', shape: [-1, 4] },
  { name: 'ids', datatype: 'INT64', shape: [-1, 2] },
];

function request(inputs: unknown[], extra: object = {}) {
  return parseInferRequest({ inputs, ...extra });
}

function expect400(fn: () => unknown, message: RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(HttpError);
  expect((error as HttpError).status).toBe(400);
  expect((error as HttpError).message).toMatch(message);
}

describe('KServe v2 request decoding', () => {
  const good = [
    {
      name: 'features',
      datatype: 'FP32',
      shape: [2, 4],
      data: [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ],
    },
    { name: 'ids', datatype: 'INT64', shape: [2, 2], data: [1, 2, 3, 4] },
  ];

  test('nested and flat data decode to typed arrays', () => {
    const feeds = decodeInputs(request(good), specs);
    expect(feeds.features?.data).toEqual(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(feeds.ids?.data).toEqual(BigInt64Array.from([1n, 2n, 3n, 4n]));
    expect(feeds.features?.shape).toEqual([2, 4]);
  });

  test.each([
    ['malformed request', () => parseInferRequest({ inputs: 'nope' }), /inputs/],
    [
      'unknown input',
      () => decodeInputs(request([...good, { name: 'x', datatype: 'FP32', shape: [1], data: [1] }]), specs),
      /unknown input "x".*features \(FP32 \[-1, 4\]\)/,
    ],
    ['missing input', () => decodeInputs(request([good[0]]), specs), /missing input\(s\): ids/],
    ['wrong datatype', () => decodeInputs(request([{ ...good[0], datatype: 'FP64' }, good[1]]), specs), /datatype FP64; the model expects FP32/],
    ['wrong rank', () => decodeInputs(request([{ ...good[0], shape: [8] }, good[1]]), specs), /shape \[8\]; the model expects \[-1, 4\]/],
    ['wrong fixed dim', () => decodeInputs(request([{ ...good[0], shape: [4, 2] }, good[1]]), specs), /the model expects \[-1, 4\]/],
    ['element count', () => decodeInputs(request([{ ...good[0], data: [1, 2, 3] }, good[1]]), specs), /3 element\(s\); shape \[2, 4\] needs 8/],
    [
      'string in FP32',
      () => decodeInputs(request([{ ...good[0], data: [1, 2, 3, 'x', 5, 6, 7, 8] }, good[1]]), specs),
      /element 3 is "x"; FP32 needs a number/,
    ],
    ['fraction in INT64', () => decodeInputs(request([good[0], { ...good[1], data: [1, 2.5, 3, 4] }]), specs), /element 1 is 2.5; INT64 needs an integer/],
    ['duplicate input', () => decodeInputs(request([good[0], good[0], good[1]]), specs), /more than once/],
  ])('%s is a 400 that says what is wrong', (_name, fn, message) => {
    expect400(fn, message);
  });

  test('integer ranges are enforced for narrow types', () => {
    expect400(
      () => decodeInputs(request([{ name: 'b', datatype: 'UINT8', shape: [2], data: [1, 256] }]), [{ name: 'b', datatype: 'UINT8', shape: [2] }]),
      /UINT8 needs an integer in \[0, 255\]/,
    );
  });

  test('requested outputs are checked against the model', () => {
    const outs: TensorSpec[] = [{ name: 'y', datatype: 'FP32', shape: [-1] }];
    expect(requestedOutputs(request(good), outs)).toBeUndefined();
    expect(requestedOutputs(request(good, { outputs: [{ name: 'y' }] }), outs)).toEqual(['y']);
    expect400(() => requestedOutputs(request(good, { outputs: [{ name: 'z' }] }), outs), /unknown output "z"/);
  });

  test('outputs encode as flat JSON arrays; BOOL as booleans, INT64 as numbers, FP16 as floats', () => {
    expect(
      encodeOutputs({
        b: { datatype: 'BOOL', shape: [2], data: Uint8Array.from([1, 0]) },
        i: { datatype: 'INT64', shape: [2], data: BigInt64Array.from([5n, -7n]) },
        h: { datatype: 'FP16', shape: [1], data: Uint16Array.from([halfFromFloat(0.5)]) },
      }),
    ).toEqual([
      { name: 'b', datatype: 'BOOL', shape: [2], data: [true, false] },
      { name: 'i', datatype: 'INT64', shape: [2], data: [5, -7] },
      { name: 'h', datatype: 'FP16', shape: [1], data: [0.5] },
    ]);
  });

  test('half precision round-trips representable values', () => {
    for (const v of [0, 1, -2, 0.25, 1024, 65504]) expect(floatFromHalf(halfFromFloat(v))).toBe(v);
  });
});

describe('values that would be silently changed are refused', () => {
  const decode = (datatype: 'FP32' | 'FP16', shape: number[], data: unknown[]) => decodeTensor('x', datatype, shape, data);

  test.each([
    ['FP32 past its range', () => decode('FP32', [2], [1, 1e39]), /element 1 is 1e\+39; FP32 needs a number within ±3.4028234663852886e\+38/],
    ['FP32 negative past its range', () => decode('FP32', [1], [-3.5e38]), /FP32 needs a number within/],
    ['FP16 past its range', () => decode('FP16', [1], [65520]), /FP16 needs a number within ±65504/],
    ['ragged rows', () => decode('FP32', [2, 2], [[1], [2, 3, 4]]), /ragged nested data \(data\[0\] has 1 entries; dimension 1 is 2\)/],
    ['a value beside rows', () => decode('FP32', [2, 2], [[1, 2], 3]), /data\[1\] is a value where dimension 1 needs 2 entries/],
    ['nesting deeper than the shape', () => decode('FP32', [1, 1], [[[1]]]), /data\[0\]\[0\] nests deeper than the shape's 2 dimension/],
  ])('%s → 400', (_name, fn, message) => {
    expect(fn).toThrow(HttpError);
    expect(fn).toThrow(message);
  });

  test('in range, nested as the shape, or NaN/Inf given as such: kept', () => {
    expect(
      decode(
        'FP32',
        [2, 2],
        [
          [3.4028234663852886e38, -1],
          [0, 2],
        ],
      ).data,
    ).toEqual(Float32Array.from([3.4028234663852886e38, -1, 0, 2]));
    expect(decode('FP16', [1], [65504]).data).toEqual(Uint16Array.from([halfFromFloat(65504)]));
    expect(decode('FP32', [2], [Number.NaN, Number.POSITIVE_INFINITY]).data).toEqual(Float32Array.from([Number.NaN, Number.POSITIVE_INFINITY]));
  });
});
