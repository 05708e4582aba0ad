/** Filesystem artifact store: the embedded default, under `.modelship/store`. */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, type FileHandle, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ArtifactStore, ListOptions, PutOptions, StoredObject, StoredStream } from './artifactStore';
import { assertValidKey, assertValidPrefix } from './keys';

/** Bytes per chunk of {@link FsArtifactStore.getStream}. */
const STREAM_CHUNK_BYTES = 4 * 1024 * 1024;

export class FsArtifactStore implements ArtifactStore {
  readonly uri: string;
  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.uri = pathToFileURL(this.root).href;
  }

  private pathOf(key: string): string {
    assertValidKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Temp file in the target's directory, fsync, rename: atomic on POSIX filesystems. */
  async put(key: string, body: Uint8Array, _options?: PutOptions): Promise<void> {
    await this.writeAtomically(key, (handle) => handle.writeFile(body));
  }

  /** Streams the file into the temp file, hashing it on the way; renamed into place only when size and digest match. */
  async putFile(key: string, file: string, expected: { sizeBytes: number; sha256: string }): Promise<void> {
    await this.writeAtomically(key, async (handle) => {
      const hash = createHash('sha256');
      let sizeBytes = 0;
      for await (const chunk of createReadStream(file)) {
        hash.update(chunk as Buffer);
        sizeBytes += (chunk as Buffer).byteLength;
        await handle.write(chunk as Buffer);
      }
      const digest = hash.digest('hex');
      if (sizeBytes !== expected.sizeBytes || digest !== expected.sha256) {
        throw new Error(`${file} changed while it was uploaded (${sizeBytes} bytes, sha256 ${digest}; expected ${expected.sizeBytes}, ${expected.sha256})`);
      }
    });
  }

  private async writeAtomically(key: string, write: (handle: FileHandle) => Promise<unknown>): Promise<void> {
    const target = this.pathOf(key);
    const dir = path.dirname(target);
    await mkdir(dir, { recursive: true });
    const temp = path.join(dir, `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    const handle = await open(temp, 'wx');
    try {
      await write(handle);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temp, { force: true });
      throw error;
    }
    await handle.close();
    try {
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async getStream(key: string, signal?: AbortSignal): Promise<StoredStream | undefined> {
    const file = this.pathOf(key);
    let sizeBytes: number;
    try {
      sizeBytes = (await stat(file)).size;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    const body = createReadStream(file, { highWaterMark: STREAM_CHUNK_BYTES, signal });
    return { sizeBytes, body, cancel: () => body.destroy() };
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<string[]> {
    const files = await this.walk(prefix, options.startAfter);
    return files.map((file) => file.key);
  }

  async listObjects(prefix: string, options: ListOptions = {}): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    for (const file of await this.walk(prefix, options.startAfter)) {
      try {
        const stats = await stat(file.path);
        // Like Apache's: inode, time, size. Each put renames a new file into place, so a rewrite gets a new inode.
        objects.push({ key: file.key, sizeBytes: stats.size, modifiedMs: stats.mtimeMs, etag: `${stats.ino}-${stats.mtimeMs}-${stats.size}` });
      } catch (error) {
        if (!isNotFound(error)) throw error; // deleted since the listing
      }
    }
    return objects;
  }

  async touch(key: string): Promise<boolean> {
    const now = new Date();
    try {
      await utimes(this.pathOf(key), now, now);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** The files under `prefix` (after `startAfter` when given), as keys and paths, sorted by key. */
  private async walk(prefix: string, startAfter?: string): Promise<{ key: string; path: string }[]> {
    assertValidPrefix(prefix);
    const start = prefix === '' ? this.root : path.join(this.root, ...prefix.slice(0, -1).split('/'));
    const files: { key: string; path: string }[] = [];
    const walk = async (dir: string, keyPrefix: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (isNotFound(error)) return;
        throw error;
      }
      for (const entry of entries) {
        if (entry.name.startsWith('.')) continue; // in-flight temporary files
        if (entry.isDirectory()) await walk(path.join(dir, entry.name), `${keyPrefix}${entry.name}/`);
        else if (entry.isFile()) files.push({ key: `${keyPrefix}${entry.name}`, path: path.join(dir, entry.name) });
      }
    };
    await walk(start, prefix);
    return files.filter((file) => startAfter === undefined || file.key > startAfter).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}

function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
