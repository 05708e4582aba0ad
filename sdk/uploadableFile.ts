/**
 * Checking and hashing a local file the client uploads with a deployment (a model, golden inputs, profile samples,
 * an evaluation set): only a regular file, never a device, FIFO, socket or directory, never over its
 * cap. Node-only (the client side of `sdk/`); the store writes what is read (`store/sourceUpload.ts`).
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { ModelshipError } from './errors';

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

/** A local file checked and hashed for upload: where it is, its sha256 (hex) and size. */
export interface HashedFile {
  file: string;
  digest: string;
  sizeBytes: number;
}

/**
 * Checks and hashes `file` (absolute) in one streaming pass: a regular file of at most `maxBytes`
 * (`capSetting` says what sets the cap, for the refusal), never held in memory whole.
 */
export async function hashUploadableFile(file: string, limit: { maxBytes: number; capSetting: string }): Promise<HashedFile> {
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
    const hash = createHash('sha256');
    let sizeBytes = 0;
    for await (const chunk of handle.createReadStream({ autoClose: false, end: limit.maxBytes })) {
      hash.update(chunk as Buffer);
      sizeBytes += (chunk as Buffer).byteLength;
    }
    if (sizeBytes !== stats.size) throw refuse(`${file} changed while it was read: write it completely, then deploy`);
    return { file, digest: hash.digest('hex'), sizeBytes };
  } finally {
    await handle.close();
  }
}
