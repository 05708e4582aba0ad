/** The model source as ingest stored it: its key and digest, the format it holds, and where a registry source came from. Pure zod. */
import { z } from 'zod';
import { sha256Digest } from './common';
import { SOURCE_FORMATS } from './pipelineSpec';

/** Where a registry source (`models:/…`) came from: what the registry answered when the deployment resolved it. */
export const registryLineage = z.object({
  /** The registry: the worker's `MLFLOW_TRACKING_URI`. */
  trackingUri: z.string(),
  /** The registered model's name. */
  name: z.string(),
  /** The registered version deployed. */
  version: z.string(),
  /** The alias the source named, when it named one (`champion`): `version` is what it pointed at. */
  alias: z.string().optional(),
  /** The MLflow run that logged the model, when the registry knows it. */
  runId: z.string().optional(),
  /** The model version's `source` as the registry records it (`models:/m-…`, `runs:/…`). */
  sourceUri: z.string(),
  /** Where its artifacts were read from (the registry's download URI). */
  artifactUri: z.string(),
  /** The `MLmodel` flavour used and the file converted, relative to `artifactUri`. */
  flavour: z.string(),
  file: z.string(),
});
export type RegistryLineage = z.infer<typeof registryLineage>;

/** The source as stored (content-addressed), with what it holds. */
export const storedSource = z.object({
  key: z.string(),
  digest: sha256Digest,
  sizeBytes: z.number().int(),
  /** The format converted: the spec's, else read from the file or the registry's `MLmodel` (absent in deployments recorded before it was). */
  format: z.enum(SOURCE_FORMATS).optional(),
  /** Where a registry source came from. */
  registry: registryLineage.optional(),
});
export type StoredSource = z.infer<typeof storedSource>;
