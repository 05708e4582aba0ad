import type { TensorSpec } from '../../sdk/schemas';
import { CONTENTS_FIELD, grpcInferResponse, readGrpcInferRequest } from '../../protocol/grpcContents';
import type { InferInputTensor, ModelInferRequest } from '../../protocol/grpcMessages';
import { HttpError } from '../../protocol/httpError';
import { decodeInputs, requestedOutputs } from '../../protocol/kserveProtocol';
import { tensorToBytes } from '../../runtime/tensorBytes';
import type { TensorMap } from '../../runtime';

function message(inputs: InferInputTensor[], extra: Partial<ModelInferRequest> = {}): ModelInferRequest {
  return { model_name: 'm', model_version: '', id: '', inputs, outputs: [], raw_input_contents: [], ...extra };
}

function rejects400(fn: () => unknown, pattern: RegExp): void {
  expect(fn).toThrow(HttpError);
  expect(fn).toThrow(pattern);
  try {
    fn();
  } catch (error) {
    expect((error as HttpError).status).toBe(400);
  }
}

/** What proto-loader hands the gateway: 64-bit integers as decimal strings, bytes as Buffers. */
const TYPED: Record<string, { spec: TensorSpec; input: InferInputTensor; expected: unknown[] }> = {
  BOOL: {
    spec: { name: 'b', datatype: 'BOOL', shape: [2] },
    input: { name: 'b', datatype: 'BOOL', shape: ['2'], contents: { bool_contents: [true, false] } },
    expected: [1, 0],
  },
  INT8: {
    spec: { name: 'i8', datatype: 'INT8', shape: [2] },
    input: { name: 'i8', datatype: 'INT8', shape: ['2'], contents: { int_contents: [-128, 127] } },
    expected: [-128, 127],
  },
  UINT32: {
    spec: { name: 'u32', datatype: 'UINT32', shape: [2] },
    input: { name: 'u32', datatype: 'UINT32', shape: ['2'], contents: { uint_contents: [0, 4294967295] } },
    expected: [0, 4294967295],
  },
  INT64: {
    spec: { name: 'i64', datatype: 'INT64', shape: [2] },
    input: { name: 'i64', datatype: 'INT64', shape: ['2'], contents: { int64_contents: ['-9223372036854775808', '9007199254740993'] } },
    expected: [-9223372036854775808n, 9007199254740993n],
  },
  UINT64: {
    spec: { name: 'u64', datatype: 'UINT64', shape: [1] },
    input: { name: 'u64', datatype: 'UINT64', shape: ['1'], contents: { uint64_contents: ['18446744073709551615'] } },
    expected: [18446744073709551615n],
  },
  FP64: {
    spec: { name: 'f64', datatype: 'FP64', shape: [1] },
    input: { name: 'f64', datatype: 'FP64', shape: ['1'], contents: { fp64_contents: [1e300] } },
    expected: [1e300],
  },
  BYTES: {
    spec: { name: 's', datatype: 'BYTES', shape: [2] },
    input: { name: 's', datatype: 'BYTES', shape: ['2'], contents: { bytes_contents: [Buffer.from('wörld'), Buffer.alloc(0)] } },
    expected: ['wörld', ''],
  },
};

describe('gRPC typed contents', () => {
  test.each(Object.keys(TYPED))('%s is read exactly from its contents field', (datatype) => {
    const { spec, input, expected } = TYPED[datatype] as (typeof TYPED)[string];
    const { request, binary, raw } = readGrpcInferRequest(message([input]));
    expect(raw).toBe(false);
    const feeds = decodeInputs(request, [spec], binary);
    expect(Array.from(feeds[spec.name]?.data as ArrayLike<unknown>)).toEqual(expected);
    expect(feeds[spec.name]?.shape).toEqual(spec.shape);
  });

  test('every datatype but FP16 has a contents field', () => {
    expect(Object.entries(CONTENTS_FIELD).filter(([, field]) => field === undefined)).toEqual([['FP16', undefined]]);
  });

  test('contents in the wrong field, FP16 typed, too few elements and out-of-range values are 400s that say so', () => {
    rejects400(
      () => readGrpcInferRequest(message([{ name: 'x', datatype: 'FP32', shape: ['2'], contents: { int_contents: [1, 2] } }])),
      /input "x" is FP32 but has int_contents; FP32 elements go in fp32_contents/,
    );
    rejects400(() => readGrpcInferRequest(message([{ name: 'h', datatype: 'FP16', shape: ['1'], contents: {} }])), /FP16, which has no typed contents/);
    const short = readGrpcInferRequest(message([{ name: 'x', datatype: 'FP32', shape: ['3'], contents: { fp32_contents: [1, 2] } }]));
    rejects400(() => decodeInputs(short.request, [{ name: 'x', datatype: 'FP32', shape: [-1] }]), /input "x" has 2 element\(s\); shape \[3\] needs 3/);
    const wide = readGrpcInferRequest(message([{ name: 'u', datatype: 'UINT8', shape: ['1'], contents: { uint_contents: [256] } }]));
    rejects400(() => decodeInputs(wide.request, [{ name: 'u', datatype: 'UINT8', shape: [1] }]), /element 0 is 256; UINT8 needs an integer in \[0, 255\]/);
    rejects400(() => readGrpcInferRequest(message([{ name: 'x', datatype: 'FP128', shape: ['1'] }])), /inputs\[0\]\.datatype: Invalid option/);
  });

  test('requested outputs and the id pass through to the request the REST codec checks', () => {
    const { request } = readGrpcInferRequest(message([TYPED.FP64?.input as InferInputTensor], { id: 'r-1', outputs: [{ name: 'y' }] }));
    expect(request.id).toBe('r-1');
    expect(requestedOutputs(request, [{ name: 'y', datatype: 'FP64', shape: [1] }])).toEqual(['y']);
    rejects400(() => requestedOutputs(request, [{ name: 'z', datatype: 'FP64', shape: [1] }]), /unknown output "y"/);
  });
});

describe('gRPC raw contents', () => {
  const specs: TensorSpec[] = [
    { name: 'h', datatype: 'FP16', shape: [2] },
    { name: 's', datatype: 'BYTES', shape: [2] },
  ];
  const tensors: TensorMap = {
    h: { datatype: 'FP16', shape: [2], data: Uint16Array.from([0x3c00, 0xc000]) },
    s: { datatype: 'BYTES', shape: [2], data: ['a', 'héllo'] },
  };

  test('raw inputs are the binary tensor data bytes, one entry per input, in order', () => {
    const inputs: InferInputTensor[] = [
      { name: 'h', datatype: 'FP16', shape: ['2'] },
      { name: 's', datatype: 'BYTES', shape: ['2'] },
    ];
    const { request, binary, raw } = readGrpcInferRequest(message(inputs, { raw_input_contents: [tensorToBytes(tensors.h!), tensorToBytes(tensors.s!)] }));
    expect(raw).toBe(true);
    const feeds = decodeInputs(request, specs, binary);
    expect(Array.from(feeds.h?.data as Uint16Array)).toEqual([0x3c00, 0xc000]);
    expect(feeds.s?.data).toEqual(['a', 'héllo']);
  });

  test('raw contents that do not match the inputs are 400s', () => {
    const inputs: InferInputTensor[] = [{ name: 'h', datatype: 'FP16', shape: ['2'] }];
    rejects400(
      () => readGrpcInferRequest(message([...inputs, inputs[0]!], { raw_input_contents: [Buffer.alloc(4)] })),
      /raw_input_contents has 1 entries for 2 inputs/,
    );
    rejects400(
      () => readGrpcInferRequest(message([{ ...inputs[0]!, contents: { fp32_contents: [1] } }], { raw_input_contents: [Buffer.alloc(4)] })),
      /has contents, but the request has raw_input_contents/,
    );
    const odd = readGrpcInferRequest(message(inputs, { raw_input_contents: [Buffer.alloc(3)] }));
    rejects400(() => decodeInputs(odd.request, specs.slice(0, 1), odd.binary), /input "h" binary data: 3 bytes; FP16 shape \[2\] needs 4/);
  });
});

describe('gRPC responses', () => {
  const head = { model_name: 'm', model_version: 'v1', id: 'r' };

  test('typed contents when the request was typed, 64-bit integers as exact decimal strings', () => {
    const response = grpcInferResponse(
      {
        b: { datatype: 'BOOL', shape: [2], data: Uint8Array.from([1, 0]) },
        i: { datatype: 'INT64', shape: [1], data: BigInt64Array.from([-9223372036854775808n]) },
        s: { datatype: 'BYTES', shape: [1], data: ['x'] },
      },
      head,
      false,
    );
    expect(response.raw_output_contents).toEqual([]);
    expect(response.outputs).toEqual([
      { name: 'b', datatype: 'BOOL', shape: [2], contents: { bool_contents: [true, false] } },
      { name: 'i', datatype: 'INT64', shape: [1], contents: { int64_contents: ['-9223372036854775808'] } },
      { name: 's', datatype: 'BYTES', shape: [1], contents: { bytes_contents: [Buffer.from('x')] } },
    ]);
  });

  test('raw output contents when the request was raw, or when an output is FP16 (it has no typed field)', () => {
    const fp16: TensorMap = { h: { datatype: 'FP16', shape: [1], data: Uint16Array.from([0x3c00]) } };
    for (const raw of [true, false]) {
      const response = grpcInferResponse(fp16, head, raw);
      expect(response.outputs).toEqual([{ name: 'h', datatype: 'FP16', shape: [1] }]);
      expect(response.raw_output_contents).toEqual([Buffer.from([0x00, 0x3c])]);
    }
  });
});
