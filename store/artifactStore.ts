/**
 * The artifact store port: a flat key/value space of immutable models and small JSON documents.
 * Implementations: {@link FsArtifactStore} (embedded default) and {@link S3ArtifactStore}.
 */

export interface ArtifactStore {
  /** Where this store lives, as a `file://` or `s3://` URI. */
  readonly uri: string;
  /** The bytes at `key`, or `undefined` when there is no such object. */
  get(key: string): Promise<Uint8Array | undefined>;
  /**
   * The object at `key` as a stream of chunks, its size known before any byte is read (`undefined`
   * when absent). `signal` stops the read; `cancel()` releases it when the reader stops early.
   */
  getStream(key: string, signal?: AbortSignal): Promise<StoredStream | undefined>;
  /** Writes `body` at `key` atomically: readers see the previous object or this one, never a part. */
  put(key: string, body: Uint8Array, options?: PutOptions): Promise<void>;
  /**
   * Streams the local file `file` to `key` atomically, never holding it in memory whole; fails (writing
   * nothing) unless it is `sizeBytes` long and hashes to `sha256` (hex).
   */
  putFile(key: string, file: string, expected: { sizeBytes: number; sha256: string }): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Every key under `prefix` (which ends with `/`, or is empty), sorted; with `startAfter`, only the keys after it (one S3 request for up to 1,000 keys). */
  list(prefix: string, options?: ListOptions): Promise<string[]>;
  /** Every object under `prefix` with its size and last-modified time, sorted by key; with `startAfter`, only those after it. */
  listObjects(prefix: string, options?: ListOptions): Promise<StoredObject[]>;
  /**
   * Marks `key` as in use now (its modified time becomes now, so garbage collection's grace period
   * starts again); `false` when there is no such object. Writers of content-addressed artifacts
   * touch an existing one instead of skipping it.
   */
  touch(key: string): Promise<boolean>;
  /** Removes `key`; no error if absent. */
  delete(key: string): Promise<void>;
  /** Releases what the store holds open (the S3 client's sockets); the store is not used after. Stores that hold nothing have none. */
  close?(): void;
}

/** An object being read: its size as the store reports it, and its bytes. */
export interface StoredStream {
  /** Undefined when the server does not say. */
  sizeBytes: number | undefined;
  body: AsyncIterable<Uint8Array>;
  cancel(): void;
}

/** One object of a listing. */
export interface StoredObject {
  key: string;
  sizeBytes: number;
  /** Last written or touched, in ms since the epoch (whole seconds on S3). */
  modifiedMs: number;
  /** The store's entity tag for this version of the object, when it gives one: S3's, or the fs store's inode, time and size. */
  etag?: string;
}

/**
 * What tells one written version of a listed object from the next: its ETag when the store gives
 * one, else modified time and size (on S3 the time is in whole seconds, and two versions of a
 * document written within one second are often the same size, so the ETag is what tells them apart).
 */
export function listedVersion(object: StoredObject): string {
  return object.etag ?? `${object.modifiedMs}/${object.sizeBytes}`;
}

/** What part of a listing to return. */
export interface ListOptions {
  /** Only keys that sort after this one (a full key, or any string under the prefix). */
  startAfter?: string;
}

export interface PutOptions {
  contentType?: string;
}
