/**
 * Uploading a local file (a model, golden inputs, profile samples, an evaluation set) into the store
 * before a deployment starts, content-addressed like an ingested source (`sources/<sha256><ext>`):
 * read by the client (`sdk/uploadableFile.ts`: only a regular file, never over its cap), then written
 * atomically by the store, or touched when the same bytes are there already ({@link putSourceFile}).
 */
import path from 'node:path';
import type { ArtifactStore } from './artifactStore';
import { storeKeys } from './keys';
import { putContentAddressed, sha256Hex } from './models';

export interface UploadedSource {
  key: string;
  digest: string;
  sizeBytes: number;
}

/** Stores the bytes of `file` (as the client read them) under their digest, unless they are there already. */
export async function putSourceFile(store: ArtifactStore, file: string, bytes: Uint8Array): Promise<UploadedSource> {
  const digest = sha256Hex(bytes);
  const key = storeKeys.source(digest, sourceExtension(file));
  await putContentAddressed(store, key, bytes);
  return { key, digest, sizeBytes: bytes.byteLength };
}

/** The extension a source keeps in the store (`.onnx`, `.pt2`, `.npz`), lowercase letters and digits only, or none. */
export function sourceExtension(file: string): string {
  const ext = path.extname(file).toLowerCase();
  return /^\.[a-z0-9]{1,16}$/.test(ext) ? ext : '';
}
