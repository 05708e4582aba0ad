/**
 * Ingest: copy the model source into the store, content-addressed (`sources/<sha256><ext>`), read
 * only from the worker's allowed folders and buckets and never past the size cap (`readSource.ts`),
 * or from an MLflow registry (`models:/…`, `readRegistrySource.ts`). Says what the source holds: the
 * spec's format, else the registry flavour's or what the file's first bytes show (`sourceFormat.ts`).
 */
import type { ActivityContext } from '../activityContext';
import { rejection } from '../failures';
import { registryReference, type RegistryLineage, type SourceFormat, type StoredSource } from '../../sdk/schemas';
import { putContentAddressed, sha256Hex, sourceExtension, storeKeys, type ArtifactStore } from '../../store';
import { mlflowConnectionFromEnv } from './mlflowRegistry';
import { readRegistrySource } from './readRegistrySource';
import { readSource, type ReadSourceOptions } from './readSource';
import { detectSourceFormat } from './sourceFormat';
import { effectiveCap, SOURCE_ENV, type SourcePolicy } from './sourcePolicy';

export type { StoredSource } from '../../sdk/schemas';

export interface IngestInput {
  /** A `file://` or `s3://bucket/key` URI, `store:sources/…` for a file the client uploaded (then ingest only checks and touches it), or `models:/…`. */
  source: string;
  /** The spec's `model.maxSourceBytes`: a cap below the worker's own. */
  maxBytes?: number;
  /** The spec's `model.format`; unset: detected. */
  format?: SourceFormat;
}

export async function ingestModel(
  deps: { store: ArtifactStore; context: Pick<ActivityContext, 'heartbeat' | 'signal'>; sources: SourcePolicy; env?: NodeJS.ProcessEnv; fetch?: typeof fetch },
  input: IngestInput,
): Promise<StoredSource> {
  const options: ReadSourceOptions = {
    policy: deps.sources,
    maxBytes: effectiveCap(deps.sources.maxModelBytes, input.maxBytes),
    failure: 'ModelSourceUnreadable',
    what: 'model source',
    capSetting: `model.maxSourceBytes, or the worker's ${SOURCE_ENV.maxModelBytes}`,
    context: deps.context,
    store: deps.store,
  };
  const read = await readModel(input, options, deps);
  if (read.bytes.byteLength === 0) throw rejection('ModelSourceUnreadable', `model source ${input.source} is empty`);
  const digest = sha256Hex(read.bytes);
  const key = storeKeys.source(digest, sourceExtension(read.fileName));
  await putContentAddressed(deps.store, key, read.bytes);
  return {
    key,
    digest,
    sizeBytes: read.bytes.byteLength,
    format: input.format ?? read.format ?? detectSourceFormat(read.bytes),
    ...(read.registry ? { registry: read.registry } : {}),
  };
}

async function readModel(
  input: IngestInput,
  options: ReadSourceOptions,
  deps: { env?: NodeJS.ProcessEnv; fetch?: typeof fetch },
): Promise<{ bytes: Uint8Array; fileName: string; format?: SourceFormat; registry?: RegistryLineage }> {
  const reference = registryReference(input.source);
  if (!reference) {
    const fileName = input.source.startsWith('/') ? input.source : new URL(input.source).pathname;
    return { bytes: await readSource(input.source, options), fileName };
  }
  const connection = mlflowConnectionFromEnv(deps.env ?? process.env, options.failure, deps.fetch);
  const source = await readRegistrySource(reference, connection, options, input.format);
  return { bytes: source.bytes, fileName: source.fileName, format: source.format, registry: source.lineage };
}
