/**
 * Reading a user's file (model, golden inputs, profile samples, evaluation set) from a path,
 * `file://` or `s3://` URI, or a `store:` reference to a file the client uploaded, safely: only from the worker's allowed folders and buckets
 * (`sourcePolicy.ts`), only regular files (never a device, FIFO, socket or directory), never more
 * than a cap (checked on the size before reading and on every chunk), in chunks that heartbeat and
 * stop when the activity is cancelled or times out.
 */
import { constants } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { rejection } from '../failures';
import { STORE_SOURCE_PREFIX } from '../../sdk/schemas';
import { readS3Source } from './readS3Source';
import { readStoreSource } from './readStoreSource';
import { overCapMessage, readProgress, READ_CHUNK_BYTES, type ReadSourceOptions } from './sourceRead';
import { isWithinRoots, outsideRootsMessage } from './sourcePolicy';

/** Read errors that mean "this file cannot be a source", as opposed to a worker fault worth retrying. */
const REFUSED_CODES = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'ELOOP', 'ENXIO', 'EISDIR', 'ENAMETOOLONG']);

export type { ReadSourceOptions } from './sourceRead';

export async function readSource(source: string, options: ReadSourceOptions): Promise<Uint8Array> {
  if (source.startsWith('file://') || source.startsWith('/')) return readFileSource(source, options);
  if (source.startsWith('s3://')) return readS3Source(source, options);
  if (source.startsWith(STORE_SOURCE_PREFIX)) return readStoreSource(source, options);
  throw rejection(options.failure, `unsupported location ${source} for the ${options.what}: use a path, file:// or s3://`);
}

async function readFileSource(source: string, options: ReadSourceOptions): Promise<Uint8Array> {
  const refuse = (reason: string) => rejection(options.failure, `cannot read the ${options.what} ${source}: ${reason}`);
  let real: string;
  try {
    real = await realpath(source.startsWith('file://') ? fileURLToPath(source) : source);
  } catch (error) {
    throw refusalOrFault(error, refuse);
  }
  if (!isWithinRoots(real, options.policy.roots)) throw rejection(options.failure, outsideRootsMessage(options.what, source, real, options.policy.roots));
  let handle: FileHandle;
  try {
    // Non-blocking: opening a FIFO must not wait for a writer; no-follow: the path checked is the path read.
    handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (error) {
    throw refusalOrFault(error, refuse);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw refuse(`it is ${fileKind(stats)}, not a regular file`);
    if (stats.size > options.maxBytes) throw rejection(options.failure, overCapMessage(options, source, stats.size));
    return await readAll(handle, stats.size, source, options);
  } finally {
    await handle.close();
  }
}

/** Reads the `size` bytes the file had when opened, in chunks; a file that grows meanwhile is refused. */
async function readAll(handle: FileHandle, size: number, source: string, options: ReadSourceOptions): Promise<Uint8Array> {
  const buffer = Buffer.allocUnsafe(size);
  let offset = 0;
  while (offset < size) {
    readProgress(options, offset);
    const { bytesRead } = await handle.read(buffer, offset, Math.min(READ_CHUNK_BYTES, size - offset), offset);
    if (bytesRead === 0) return buffer.subarray(0, offset);
    offset += bytesRead;
  }
  const { bytesRead } = await handle.read(Buffer.alloc(1), 0, 1, offset);
  if (bytesRead > 0) throw rejection(options.failure, `${options.what} ${source} grew while it was read: write it completely, then deploy`);
  return buffer;
}

function refusalOrFault(error: unknown, refuse: (reason: string) => Error): Error {
  if (error instanceof TypeError) return refuse(error.message); // a file:// URI with a host or an encoded '/'
  const code = (error as NodeJS.ErrnoException).code;
  if (code && REFUSED_CODES.has(code)) return refuse(code === 'ENXIO' ? 'it is a socket, not a regular file' : code);
  return error as Error;
}

function fileKind(stats: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}
