/**
 * What the gateway says about the models it serves, whatever the protocol (REST routes and gRPC
 * methods answer from here): a model's metadata and whether it is ready. A model the store routes
 * but this replica has not loaded (its first load under way or failed, or the replica just started)
 * is a 503 with the reason, never a 404 "unknown model". The repository index is in `repositoryIndex.ts`.
 */
import type { TensorSpec } from '../sdk/schemas';
import { HttpError } from '../protocol/httpError';
import type { LoadedVersion, ModelRegistry } from './modelRegistry';
import { formatLabels } from './placement';
import type { Reconciler } from './reconciler';

/** The platform every served model reports (KServe v2 model metadata). */
export const MODEL_PLATFORM = 'onnxruntime_onnx';

/** What this file reads: the models served and why others are not. */
export interface ServedModels {
  readonly registry: ModelRegistry;
  readonly reconciler: Pick<Reconciler, 'whyNotServing' | 'placedElsewhere'>;
}

/** KServe v2 model metadata. */
export interface ModelDescription {
  readonly name: string;
  /** The served versions (not a shadow target), or only the one named. */
  readonly versions: string[];
  readonly platform: string;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
}

/** Whether a model (or one version) serves here: 200, 404 (unknown model or version) or 503 (not loaded, with the reason). */
export interface ModelReadiness {
  readonly status: 200 | 404 | 503;
  readonly ready: boolean;
  readonly reason?: string;
}

/** Metadata of `endpoint`: its versions, and the inputs and outputs of the version named (or the primary one); a 404 or 503 otherwise. */
export function describeModel(models: ServedModels, endpoint: string, version: string | undefined): ModelDescription {
  const loaded = lookup(models, endpoint, version);
  const route = models.registry.route(endpoint);
  return {
    name: endpoint,
    versions: version ? [version] : (route?.versions.map((v) => v.loaded.version) ?? []),
    platform: MODEL_PLATFORM,
    inputs: loaded.inputs,
    outputs: loaded.outputs,
  };
}

/** Whether `endpoint` (or its version `version`) is loaded and serving, and if not, why. */
export function modelReadiness(models: ServedModels, endpoint: string, version: string | undefined): ModelReadiness {
  try {
    lookup(models, endpoint, version);
    return { status: 200, ready: true };
  } catch (error) {
    if (!(error instanceof HttpError) || (error.status !== 404 && error.status !== 503)) throw error;
    return { status: error.status, ready: false, ...(error.status === 503 ? { reason: error.message } : {}) };
  }
}

/** The 503 for a model the store routes but this replica serves no version of; undefined when it serves one or is unknown. */
export function notLoadedError(models: ServedModels, endpoint: string): HttpError | undefined {
  const reason = models.reconciler.whyNotServing(endpoint);
  return reason === undefined ? undefined : new HttpError(503, `model "${endpoint}" is not loaded on this replica: ${reason}`);
}

function lookup(models: ServedModels, endpoint: string, version?: string): LoadedVersion {
  const { registry } = models;
  const loaded = version ? registry.pick(endpoint, { version }) : registry.primary(endpoint);
  if (loaded) return loaded;
  if (registry.route(endpoint)) throw new HttpError(404, `model "${endpoint}" has no version "${version}"`);
  throw missingModelError(models, endpoint);
}

/**
 * The answer for a model with no version served here: a 503 while it loads or after its load failed,
 * a 404 saying where it runs when its placement leaves this replica out, else a 404 "unknown model".
 */
export function missingModelError(models: ServedModels, endpoint: string): HttpError {
  const notLoaded = notLoadedError(models, endpoint);
  if (notLoaded) return notLoaded;
  const placement = models.reconciler.placedElsewhere(endpoint);
  if (!placement) return new HttpError(404, `unknown model "${endpoint}"`);
  const pool = formatLabels(placement.selector);
  const where = placement.replicas ? `replica(s) ${placement.replicas.join(', ') || '(none)'}${pool ? ` (${pool})` : ''}` : `the replicas labelled ${pool}`;
  return new HttpError(404, `model "${endpoint}" is not placed on this replica: it runs on ${where}`);
}
