/**
 * The v2 binary tensor data extension: a JSON header of `Inference-Header-Content-Length` bytes,
 * then raw little-endian tensor bytes, in input (or output) order. BOOL is one byte per element;
 * BYTES elements are each a 4-byte little-endian length followed by the bytes. This is what
 * tritonclient sends and asks for by default.
 */
import type { Datatype } from '../sdk/schemas';
import type { Tensor, TensorMap } from '../runtime/tensor';
import { tensorFromBytes, TensorBytesError } from '../runtime/tensorBytes';
import { HttpError } from './httpError';
import type { InferRequest, InferResponseOutput } from './messages';

export const HEADER_LENGTH = 'inference-header-content-length';

/** Splits a body into its JSON header and the binary blobs of the inputs that declare one. */
export function splitBinaryBody(body: Buffer, headerLength: number): { json: Buffer; blobs: Buffer } {
  if (!Number.isInteger(headerLength) || headerLength < 0 || headerLength > body.length) {
    throw new HttpError(400, `Inference-Header-Content-Length ${headerLength} does not fit a body of ${body.length} bytes`);
  }
  return { json: body.subarray(0, headerLength), blobs: body.subarray(headerLength) };
}

/** Assigns the blobs to the inputs that declared `binary_data_size`, in order. */
export function binaryInputs(request: InferRequest, blobs: Buffer): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let offset = 0;
  for (const input of request.inputs) {
    const size = input.parameters?.binary_data_size;
    if (size === undefined) continue;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
      throw new HttpError(400, `input "${input.name}" has an invalid binary_data_size`);
    }
    if (input.data !== undefined) throw new HttpError(400, `input "${input.name}" has both "data" and binary_data_size`);
    if (offset + size > blobs.length) {
      throw new HttpError(400, `input "${input.name}" declares ${size} binary bytes but only ${blobs.length - offset} remain`);
    }
    out.set(input.name, blobs.subarray(offset, offset + size));
    offset += size;
  }
  if (offset !== blobs.length) throw new HttpError(400, `${blobs.length - offset} binary bytes after the last input`);
  return out;
}

export function decodeBinaryTensor(name: string, datatype: Datatype, shape: readonly number[], raw: Uint8Array): Tensor {
  try {
    return tensorFromBytes(datatype, shape, raw);
  } catch (error) {
    if (error instanceof TensorBytesError) throw new HttpError(400, `input "${name}" binary data: ${error.message}`);
    throw error;
  }
}

/** Output names the request wants as binary: all (`binary_data_output`), or those flagged `binary_data`. */
export function binaryOutputNames(request: InferRequest, outputs: TensorMap): Set<string> {
  if (request.parameters?.binary_data_output === true) return new Set(Object.keys(outputs));
  return new Set((request.outputs ?? []).filter((o) => o.parameters?.binary_data === true).map((o) => o.name));
}

/** Builds a response body: JSON header plus blobs, and the header length to announce. */
export function encodeBinaryResponse(
  header: { outputs: InferResponseOutput[] } & Record<string, unknown>,
  blobs: Buffer[],
): { body: Buffer; headerLength: number } {
  const json = Buffer.from(JSON.stringify(header));
  return { body: Buffer.concat([json, ...blobs]), headerLength: json.length };
}
