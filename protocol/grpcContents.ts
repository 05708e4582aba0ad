/**
 * Tensors in KServe v2 gRPC messages: an infer request's inputs, typed (`contents`) or raw
 * (`raw_input_contents`), read into the same {@link InferRequest} and binary inputs the REST codec
 * checks against a model (`decodeInputs`), and outputs written as typed `contents` or as
 * `raw_output_contents`. Raw bytes are those of the binary tensor data extension (little-endian,
 * BOOL one byte, BYTES 4-byte length-prefixed; `runtime/tensorBytes.ts`).
 *
 * @example
 * const { request, binary, raw } = readGrpcInferRequest(message);
 * const feeds = decodeInputs(request, model.inputs, binary);
 * const response = grpcInferResponse(outputs, { model_name: 'iris', model_version: 'v1', id: '' }, raw);
 */
import type { Datatype } from '../sdk/schemas';
import type { Tensor, TensorMap } from '../runtime/tensor';
import { tensorToBytes } from '../runtime/tensorBytes';
import type { InferInputTensor, InferOutputTensor, InferTensorContents, ModelInferRequest, ModelInferResponse } from './grpcMessages';
import { HttpError } from './httpError';
import { parseInferRequest } from './kserveProtocol';
import type { InferRequest } from './messages';

type ContentsField = keyof InferTensorContents;

/** The `contents` field each datatype's elements travel in; FP16 has none (raw contents only). */
export const CONTENTS_FIELD: Readonly<Record<Datatype, ContentsField | undefined>> = Object.freeze({
  BOOL: 'bool_contents',
  UINT8: 'uint_contents',
  UINT16: 'uint_contents',
  UINT32: 'uint_contents',
  UINT64: 'uint64_contents',
  INT8: 'int_contents',
  INT16: 'int_contents',
  INT32: 'int_contents',
  INT64: 'int64_contents',
  FP16: undefined,
  FP32: 'fp32_contents',
  FP64: 'fp64_contents',
  BYTES: 'bytes_contents',
});

/** A gRPC infer request as the REST codec reads it. */
export interface GrpcInferInputs {
  /** Inputs with `data` from their typed contents (none when raw), and the outputs asked for. */
  readonly request: InferRequest;
  /** Each input's raw contents by name, when the request sent them raw. */
  readonly binary: Map<string, Uint8Array> | undefined;
  /** Whether the request sent its inputs raw (the answer is then raw too). */
  readonly raw: boolean;
}

/** Reads a ModelInferRequest's inputs and requested outputs; a 400 that says what is wrong otherwise. */
export function readGrpcInferRequest(message: ModelInferRequest): GrpcInferInputs {
  const rawContents = message.raw_input_contents ?? [];
  const raw = rawContents.length > 0;
  if (raw && rawContents.length !== message.inputs.length) {
    throw new HttpError(400, `raw_input_contents has ${rawContents.length} entries for ${message.inputs.length} inputs; it needs one per input`);
  }
  const binary = raw ? new Map<string, Uint8Array>() : undefined;
  const inputs = message.inputs.map((input, i) => {
    const described = { name: input.name, datatype: input.datatype, shape: input.shape.map(Number) };
    if (!binary) return { ...described, data: typedElements(input) };
    if (usedFields(input.contents).length > 0) {
      throw new HttpError(400, `input "${input.name}" has contents, but the request has raw_input_contents: send every input one way`);
    }
    binary.set(input.name, rawContents[i] as Uint8Array);
    return described;
  });
  const outputs = message.outputs.map((o) => ({ name: o.name }));
  const request = parseInferRequest({ ...(message.id ? { id: message.id } : {}), inputs, ...(outputs.length > 0 ? { outputs } : {}) });
  return { request, binary, raw };
}

/** A ModelInferResponse: raw output contents when `raw` (or an output has no typed field, FP16), typed contents otherwise. */
export function grpcInferResponse(outputs: TensorMap, head: Pick<ModelInferResponse, 'model_name' | 'model_version' | 'id'>, raw: boolean): ModelInferResponse {
  const entries = Object.entries(outputs);
  const asRaw = raw || entries.some(([, t]) => CONTENTS_FIELD[t.datatype] === undefined);
  const described = entries.map(([name, t]): InferOutputTensor => ({ name, datatype: t.datatype, shape: [...t.shape] }));
  if (asRaw) return { ...head, outputs: described, raw_output_contents: entries.map(([, t]) => tensorToBytes(t)) };
  return { ...head, outputs: described.map((o, i) => ({ ...o, contents: typedContents(entries[i]?.[1] as Tensor) })), raw_output_contents: [] };
}

/** The elements of an input sent typed, as the REST codec takes them (64-bit integers exact, BYTES as UTF-8 strings). */
function typedElements(input: InferInputTensor): unknown[] | undefined {
  const field = CONTENTS_FIELD[input.datatype as Datatype] as ContentsField | undefined;
  const used = usedFields(input.contents);
  if (field === undefined) {
    if (input.datatype === 'FP16') throw new HttpError(400, `input "${input.name}" is FP16, which has no typed contents: send it in raw_input_contents`);
    return undefined; // an unknown datatype: the request parse names it
  }
  const stray = used.find((f) => f !== field);
  if (stray) throw new HttpError(400, `input "${input.name}" is ${input.datatype} but has ${stray}; ${input.datatype} elements go in ${field}`);
  const values: unknown[] = input.contents?.[field] ?? [];
  if (field === 'int64_contents' || field === 'uint64_contents') return values.map((v) => BigInt(v as string | number));
  if (field === 'bytes_contents') return values.map((v) => Buffer.from(v as Uint8Array).toString('utf8'));
  return values;
}

function usedFields(contents: InferTensorContents | null | undefined): ContentsField[] {
  if (!contents) return [];
  return (Object.keys(contents) as ContentsField[]).filter((f) => (contents[f]?.length ?? 0) > 0);
}

function typedContents(t: Tensor): InferTensorContents {
  const field = CONTENTS_FIELD[t.datatype] as ContentsField;
  const { data } = t;
  if (Array.isArray(data)) return { [field]: data.map((s) => Buffer.from(s, 'utf8')) };
  if (t.datatype === 'BOOL') return { [field]: Array.from(data as Uint8Array, (v) => v !== 0) };
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return { [field]: Array.from(data, String) };
  return { [field]: Array.from(data as ArrayLike<number>) };
}
