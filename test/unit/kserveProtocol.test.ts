import type { TensorSpec } from '../../sdk/schemas';
import { HttpError } from '../../protocol/httpError';
import { decodeInputs, encodeOutputs, floatFromHalf, parseInferRequest, requestedOutputs } from '../../protocol/kserveProtocol';
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
