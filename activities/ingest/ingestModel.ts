/** Ingest: copy the model source into the store, content-addressed (`sources/<sha256><ext>`). */
import path from 'node:path';
import { rejection } from '../failures';
import { sha256Hex, storeKeys, type ArtifactStore } from '../../store';
import { readSource } from './readSource';

export interface IngestInput {
  /** A `file://` or `s3://bucket/key` URI (the client resolves relative paths). */
  source: string;
}

export interface StoredSource {
  key: string;
  digest: string;
  sizeBytes: number;
}

export async function ingestModel(store: ArtifactStore, input: IngestInput): Promise<StoredSource> {
  const bytes = await readSource(input.source);
  if (bytes.byteLength === 0) throw rejection('ModelSourceUnreadable', `model source ${input.source} is empty`);
  const digest = sha256Hex(bytes);
  const ext = path
    .extname(new URL(input.source).pathname)
    .toLowerCase()
    .replace(/[^a-z0-9.]/g, '');
  const key = storeKeys.source(digest, ext);
  if (!(await store.exists(key))) await store.put(key, bytes);
  return { key, digest, sizeBytes: bytes.byteLength };
}
