/**
 * Uploading a local file (a model, golden inputs, profile samples, an evaluation set) into the store
 * before a deployment starts, content-addressed like an ingested source (`sources/<sha256><ext>`):
 * read first ({@link readUploadableFile}: only a regular file, never a device, FIFO, socket or
 * directory, never over its cap), then written atomically by the store, or touched when the same
 * bytes are there already ({@link putSourceFile}).
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactStore } from './artifactStore';
import { storeKeys } from './keys';
import { putContentAddressed, sha256Hex } from './models';
import { ModelshipError } from '../sdk/errors';

/** A local file that cannot be uploaded, and why (`reason` names the file). */
export class SourceUploadRefusedError extends ModelshipError {
  override readonly name = 'SourceUploadRefusedError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export interface UploadedSource {
  key: string;
  digest: string;
  sizeBytes: number;
}

/** Stores the bytes of `file` (as {@link readUploadableFile} read them) under their digest, unless they are there already. */
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

/** The bytes of `file` (absolute), a regular file of at most `maxBytes`; `capSetting` says what sets the cap, for the refusal. */
export async function readUploadableFile(file: string, limit: { maxBytes: number; capSetting: string }): Promise<Uint8Array> {
  const refuse = (reason: string): SourceUploadRefusedError => new SourceUploadRefusedError(file, reason);
  let handle;
  try {
    // Non-blocking: opening a FIFO must not wait for a writer; symlinks are followed to the file they name.
    handle = await open(await realpath(file), constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw refuse(code === 'ENOENT' ? `${file} does not exist` : `cannot read ${file}: ${code ?? String(error)}`);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile())
      throw refuse(`${file} is ${stats.isDirectory() ? 'a directory' : 'not a regular file (a device, FIFO or socket)'}: give a model or data file`);
    if (stats.size > limit.maxBytes) throw refuse(`${file} is ${stats.size} bytes, over the limit of ${limit.maxBytes} bytes (${limit.capSetting})`);
    if (stats.size === 0) throw refuse(`${file} is empty`);
    const bytes = await handle.readFile();
    if (bytes.byteLength !== stats.size) throw refuse(`${file} changed while it was read: write it completely, then deploy`);
    return bytes;
  } finally {
    await handle.close();
  }
}
