/**
 * Uploading a local file (a model, golden inputs, profile samples, an evaluation set) into the store
 * before a deployment starts, content-addressed like an ingested source (`sources/<sha256><ext>`):
 * checked and hashed by the client (`sdk/uploadableFile.ts`: only a regular file, never over its cap),
 * then streamed into the store atomically, or touched when the same bytes are there already
 * ({@link putSourceFile}). Never held in memory whole.
 */
import path from 'node:path';
import type { ArtifactStore } from './artifactStore';
import { storeKeys } from './keys';

export interface UploadedSource {
  key: string;
  digest: string;
  sizeBytes: number;
}

/**
 * Streams `file` (of `sizeBytes`, hashing to `digest`) into the store under its content-addressed
 * key, unless it is there already (then touched). The store checks the digest as it writes.
 */
export async function putSourceFile(store: ArtifactStore, file: { file: string; digest: string; sizeBytes: number }): Promise<UploadedSource> {
  const key = storeKeys.source(file.digest, sourceExtension(file.file));
  if (!(await store.touch(key))) await store.putFile(key, file.file, { sizeBytes: file.sizeBytes, sha256: file.digest });
  return { key, digest: file.digest, sizeBytes: file.sizeBytes };
}

/** The extension a source keeps in the store (`.onnx`, `.pt2`, `.npz`), lowercase letters and digits only, or none. */
export function sourceExtension(file: string): string {
  const ext = path.extname(file).toLowerCase();
  return /^\.[a-z0-9]{1,16}$/.test(ext) ? ext : '';
}
