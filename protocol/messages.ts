/**
 * The messages of the KServe Open Inference Protocol v2 (REST/JSON): the infer request as a zod
 * schema (parsed at the gateway's boundary) and the infer response. The codecs
 * (`kserveProtocol.ts`, `binaryTensorData.ts`) read and write these.
 */
import { z } from 'zod';
import { datatype, type Datatype } from '../sdk/schemas';

const parameters = z.record(z.string(), z.unknown());

const requestInput = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  datatype,
  parameters: parameters.optional(),
  // Elements are checked while flattening; a per-element zod pass would double the work.
  // Absent when the tensor travels as binary data (`parameters.binary_data_size`).
  data: z.custom<unknown[]>(Array.isArray, 'data must be an array').optional(),
});

export const inferRequest = z.object({
  id: z.string().optional(),
  parameters: parameters.optional(),
  inputs: z.array(requestInput).min(1),
  outputs: z.array(z.object({ name: z.string().min(1), parameters: parameters.optional() })).optional(),
});
export type InferRequest = z.infer<typeof inferRequest>;

export interface InferResponseOutput {
  name: string;
  datatype: Datatype;
  shape: number[];
  data?: (number | string | boolean)[];
  parameters?: { binary_data_size: number };
}

export interface InferResponse {
  model_name: string;
  model_version: string;
  id?: string;
  outputs: InferResponseOutput[];
}
