/** Content-addressed model artifacts and their metadata documents. Pure zod. */
import { z } from 'zod';
import { sha256Digest } from './common';
import { ioSignature } from './tensor';

export const MODEL_FORMATS = ['onnx'] as const;
export const modelFormat = z.enum(MODEL_FORMATS);
export type ModelFormat = z.infer<typeof modelFormat>;

/** A model stored under `models/<digest>.onnx`. Same bytes, same artifact. */
export const modelArtifact = z.object({
  digest: sha256Digest,
  key: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  format: modelFormat,
});
export type ModelArtifact = z.infer<typeof modelArtifact>;

/** A pick's artifact, as kept to serve it again: its digest, where it is stored and its size. */
export const pickedArtifact = z.object({ digest: sha256Digest, key: z.string(), sizeBytes: z.number().int().nonnegative() });

/** The artifacts picked for the targets other than cpu (the routing's `picks`, with what it takes to serve them again). */
export const pickedArtifacts = z.object({
  /** The gpu pick: what GPU replicas serve. */
  gpu: pickedArtifact.optional(),
});
export type PickedArtifacts = z.infer<typeof pickedArtifacts>;

/** How an artifact came to be: where it came from, or which pass made it from which parent. */
export const lineage = z.object({
  source: z.string().optional(),
  parentDigest: sha256Digest.optional(),
  pass: z.string(),
  /** Golden inputs and source-framework outputs every copy is checked against. */
  referenceDigest: sha256Digest.optional(),
  goldenDigest: sha256Digest.optional(),
  parameters: z.record(z.string(), z.unknown()).default({}),
  toolVersions: z.record(z.string(), z.string()).default({}),
});
export type Lineage = z.infer<typeof lineage>;

/** `models/<digest>.json`: what is known about a stored model once it has loaded. */
export const modelMetadata = z.object({
  digest: sha256Digest,
  format: modelFormat,
  sizeBytes: z.number().int().nonnegative(),
  io: ioSignature,
  lineage,
});
export type ModelMetadata = z.infer<typeof modelMetadata>;
