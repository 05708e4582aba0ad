/**
 * The request bodies every server in `npm run bench:gateway` receives: one batch-1 row of the
 * MLP's 256 FP32 features, as a KServe v2 JSON body (~5 KB), as a v2 binary-extension body (JSON
 * header + raw little-endian bytes), and as a gRPC frame of a ModelInferRequest (1 flag byte,
 * 4-byte big-endian length, the protobuf serialized from the gateway's own .proto).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MethodDefinition, ServiceDefinition } from '@grpc/proto-loader';
import { loadInferenceProto, SERVICE_NAME, type ModelInferRequest } from '../protocol/grpcMessages';

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

/** ModelInferRequest with the row as raw contents, serialized with the gateway's own .proto and framed for gRPC. */
export function grpcInferFrame(modelName: string, row: Float32Array): Buffer {
  const service = loadInferenceProto()[SERVICE_NAME] as ServiceDefinition;
  const request: Partial<ModelInferRequest> = {
    model_name: modelName,
    inputs: [{ name: 'features', datatype: 'FP32', shape: [1, FEATURES], parameters: {} }],
    raw_input_contents: [Buffer.from(row.buffer, row.byteOffset, row.byteLength)],
  };
  const message = (service.ModelInfer as MethodDefinition<Partial<ModelInferRequest>, unknown>).requestSerialize(request);
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
