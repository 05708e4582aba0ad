/**
 * What the gateway says about the models it serves, whatever the protocol (REST routes and gRPC
 * methods answer from here): a model's metadata and whether it is ready. The repository index is
 * in `repositoryIndex.ts`.
 */
import type { TensorSpec } from '../sdk/schemas';
import { HttpError } from '../protocol/httpError';
import type { LoadedVersion, ModelRegistry } from './modelRegistry';

/** The platform every served model reports (KServe v2 model metadata). */
export const MODEL_PLATFORM = 'onnxruntime_onnx';

/** KServe v2 model metadata. */
export interface ModelDescription {
  readonly name: string;
  /** The served versions (not a shadow target), or only the one named. */
  readonly versions: string[];
  readonly platform: string;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
}

/** Metadata of `endpoint`: its versions, and the inputs and outputs of the version named (or the primary one); a 404 when unknown. */
export function describeModel(registry: ModelRegistry, endpoint: string, version: string | undefined): ModelDescription {
  const loaded = lookup(registry, endpoint, version);
  const route = registry.route(endpoint);
  return {
    name: endpoint,
    versions: version ? [version] : (route?.versions.map((v) => v.loaded.version) ?? []),
    platform: MODEL_PLATFORM,
    inputs: loaded.inputs,
    outputs: loaded.outputs,
  };
}

/** True when `endpoint` (or its version `version`) is loaded and serving. */
export function isModelReady(registry: ModelRegistry, endpoint: string, version: string | undefined): boolean {
  return (version ? registry.pick(endpoint, { version }) : registry.primary(endpoint)) !== undefined;
}

function lookup(registry: ModelRegistry, endpoint: string, version?: string): LoadedVersion {
  const loaded = version ? registry.pick(endpoint, { version }) : registry.primary(endpoint);
  if (loaded) return loaded;
  if (!registry.route(endpoint)) throw new HttpError(404, `unknown model "${endpoint}"`);
  throw new HttpError(404, `model "${endpoint}" has no version "${version}"`);
}
