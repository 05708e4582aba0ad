/**
 * The request bodies every server in `npm run bench:gateway` receives: one batch-1 row of the
 * MLP's 256 FP32 features, as a KServe v2 JSON body (~5 KB), as a v2 binary-extension body (JSON
 * header + raw little-endian bytes), and as a gRPC frame of a ModelInferRequest (1 flag byte,
 * 4-byte big-endian length, the protobuf). The protobuf is written here field by field; it is one
 * fixed message, so no codec library is needed.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

export const FEATURES = 256;
/** The response of a successful batch-1 infer carries at least the 10 FP32 logits. */
export const MIN_GRPC_RESPONSE_BYTES = 5 + 10 * 4;

export function featureRow(): Float32Array {
  return Float32Array.from({ length: FEATURES }, (_, i) => Math.sin(i * 0.37) * 0.5);
}

const jsonInput = (extra: object) => ({ name: 'features', datatype: 'FP32', shape: [1, FEATURES], ...extra });

export function jsonBody(row: Float32Array): Buffer {
  return Buffer.from(JSON.stringify({ inputs: [jsonInput({ data: Array.from(row) })] }));
}

/** Binary extension: the header declares `binary_data_size`; outputs are asked for in binary too. */
export function binaryBody(row: Float32Array): { body: Buffer; headerLength: number } {
  const raw = Buffer.from(row.buffer, row.byteOffset, row.byteLength);
  const header = Buffer.from(
    JSON.stringify({ inputs: [jsonInput({ parameters: { binary_data_size: raw.length } })], parameters: { binary_data_output: true } }),
  );
  return { body: Buffer.concat([header, raw]), headerLength: header.length };
}

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** A length-delimited protobuf field (wire type 2). */
const field = (number: number, bytes: Buffer): Buffer => Buffer.concat([Buffer.from([(number << 3) | 2, ...varint(bytes.length)]), bytes]);

/** ModelInferRequest { model_name = 1; inputs = 5 { name = 1; datatype = 2; shape = 3 (packed) }; raw_input_contents = 7 }, framed for gRPC. */
export function grpcInferFrame(modelName: string, row: Float32Array): Buffer {
  const shape = Buffer.from([...varint(1), ...varint(FEATURES)]);
  const input = Buffer.concat([field(1, Buffer.from('features')), field(2, Buffer.from('FP32')), field(3, shape)]);
  const raw = Buffer.from(row.buffer, row.byteOffset, row.byteLength);
  const message = Buffer.concat([field(1, Buffer.from(modelName)), field(5, input), field(7, raw)]);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

/** Writes a body to `dir/name` for the load generators, returning its path. */
export async function bodyFile(dir: string, name: string, body: Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, body);
  return file;
}
