/** Tensor datatypes and model IO signatures, in the KServe v2 vocabulary. Pure zod. */
import { z } from 'zod';

/** KServe v2 tensor datatypes that onnxruntime can feed or fetch. */
export const DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'] as const;

export const datatype = z.enum(DATATYPES);
export type Datatype = z.infer<typeof datatype>;

/** One named input or output: datatype and shape, `-1` for a dimension fixed only at run time. */
export const tensorSpec = z.object({
  /** The tensor's name in the model. */
  name: z.string().min(1),
  /** KServe v2 datatype. */
  datatype,
  /** Dimensions, `-1` for one fixed only at run time (such as the batch). */
  shape: z.array(z.number().int().min(-1)),
});
export type TensorSpec = z.infer<typeof tensorSpec>;

/** The inputs and outputs of a model, in graph order. */
export const ioSignature = z.object({
  inputs: z.array(tensorSpec),
  outputs: z.array(tensorSpec),
});
export type IoSignature = z.infer<typeof ioSignature>;
