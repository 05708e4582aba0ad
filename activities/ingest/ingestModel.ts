/**
 * Ingest: copy the model source into the store, content-addressed (`sources/<sha256><ext>`), read
 * only from the worker's allowed folders and buckets and never past the size cap (`readSource.ts`).
 */
import type { ActivityContext } from '../activityContext';
import { rejection } from '../failures';
import { putContentAddressed, sha256Hex, sourceExtension, storeKeys, type ArtifactStore } from '../../store';
import { readSource } from './readSource';
import { effectiveCap, SOURCE_ENV, type SourcePolicy } from './sourcePolicy';

export interface IngestInput {
  /** A `file://` or `s3://bucket/key` URI, or `store:sources/…` for a file the client uploaded (then ingest only checks and touches it). */
  source: string;
  /** The spec's `model.maxSourceBytes`: a cap below the worker's own. */
  maxBytes?: number;
}

export interface StoredSource {
  key: string;
  digest: string;
  sizeBytes: number;
}

export async function ingestModel(
  deps: { store: ArtifactStore; context: Pick<ActivityContext, 'heartbeat' | 'signal'>; sources: SourcePolicy },
  input: IngestInput,
): Promise<StoredSource> {
  const bytes = await readSource(input.source, {
    policy: deps.sources,
    maxBytes: effectiveCap(deps.sources.maxModelBytes, input.maxBytes),
    failure: 'ModelSourceUnreadable',
    what: 'model source',
    capSetting: `model.maxSourceBytes, or the worker's ${SOURCE_ENV.maxModelBytes}`,
    context: deps.context,
    store: deps.store,
  });
  if (bytes.byteLength === 0) throw rejection('ModelSourceUnreadable', `model source ${input.source} is empty`);
  const digest = sha256Hex(bytes);
  const key = storeKeys.source(digest, sourceExtension(input.source.startsWith('/') ? input.source : new URL(input.source).pathname));
  await putContentAddressed(deps.store, key, bytes);
  return { key, digest, sizeBytes: bytes.byteLength };
}
