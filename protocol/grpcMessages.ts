/**
 * The messages of the KServe Open Inference Protocol v2 over gRPC (`inference.GRPCInferenceService`,
 * defined in `grpcInferenceService.proto` beside this file) as `@grpc/proto-loader` reads and writes
 * them with {@link PROTO_OPTIONS}: field names as in the .proto, 64-bit integers as decimal strings
 * (exact), defaults filled in (repeated fields are arrays, strings ''). The contents codec
 * (`grpcContents.ts`) converts them to and from tensors.
 */
import path from 'node:path';
import { loadSync, type Options, type PackageDefinition } from '@grpc/proto-loader';

/** The .proto; it ships beside the compiled code (`scripts/build.ts` copies it into `dist/protocol/`). */
export const PROTO_PATH = path.join(__dirname, 'grpcInferenceService.proto');

/** The fully qualified service name. */
export const SERVICE_NAME = 'inference.GRPCInferenceService';

export const PROTO_OPTIONS: Readonly<Options> = Object.freeze({ keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });

/** The service's package definition, for `@grpc/grpc-js`'s `loadPackageDefinition`. */
export function loadInferenceProto(): PackageDefinition {
  return loadSync(PROTO_PATH, { ...PROTO_OPTIONS });
}

/** A 64-bit integer field: a decimal string when read; a string or a number when written. */
export type Int64 = string | number;

/** One request or response parameter (one of its fields is set). */
export interface InferParameter {
  bool_param?: boolean;
  int64_param?: Int64;
  string_param?: string;
  double_param?: number;
  uint64_param?: Int64;
}

/** Typed tensor elements, row-major, in the one field of the tensor's datatype (FP16 has none). */
export interface InferTensorContents {
  bool_contents?: boolean[];
  int_contents?: number[];
  int64_contents?: Int64[];
  uint_contents?: number[];
  uint64_contents?: Int64[];
  fp32_contents?: number[];
  fp64_contents?: number[];
  bytes_contents?: Uint8Array[];
}

export interface InferInputTensor {
  name: string;
  datatype: string;
  shape: Int64[];
  parameters?: Record<string, InferParameter>;
  contents?: InferTensorContents | null;
}

export interface ModelInferRequest {
  model_name: string;
  model_version: string;
  id: string;
  parameters?: Record<string, InferParameter>;
  inputs: InferInputTensor[];
  outputs: { name: string; parameters?: Record<string, InferParameter> }[];
  raw_input_contents: Uint8Array[];
}

export interface InferOutputTensor {
  name: string;
  datatype: string;
  shape: Int64[];
  contents?: InferTensorContents;
}

export interface ModelInferResponse {
  model_name: string;
  model_version: string;
  id: string;
  outputs: InferOutputTensor[];
  raw_output_contents: Uint8Array[];
}

/** A model, optionally one version (ModelReady, ModelMetadata); '' for none. */
export interface ModelRef {
  name: string;
  version: string;
}

export interface TensorMetadata {
  name: string;
  datatype: string;
  shape: Int64[];
}

export interface ModelMetadataResponse {
  name: string;
  versions: string[];
  platform: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
}

export interface RepositoryIndexResponse {
  models: { name: string; version: string; state: string; reason: string }[];
}
