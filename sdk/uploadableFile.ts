/**
 * Reading a local file the client uploads with a deployment (a model, golden inputs, profile samples,
 * an evaluation set): only a regular file, never a device, FIFO, socket or directory, never over its
 * cap. Node-only (the client side of `sdk/`); the store writes what is read (`store/sourceUpload.ts`).
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';

/** A local file that cannot be uploaded, and why (`reason` names the file). */
export class SourceUploadRefusedError extends Error {
  override readonly name = 'SourceUploadRefusedError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(reason);
  }
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
