/**
 * The artifact store port: a flat key/value space of immutable models and small JSON documents.
 * Implementations: {@link FsArtifactStore} (embedded default) and {@link S3ArtifactStore}.
 */

export interface ArtifactStore {
  /** Where this store lives, as a `file://` or `s3://` URI. */
  readonly uri: string;
  /** The bytes at `key`, or `undefined` when there is no such object. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Writes `body` at `key` atomically: readers see the previous object or this one, never a part. */
  put(key: string, body: Uint8Array, options?: PutOptions): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Every key under `prefix` (which ends with `/`, or is empty), sorted. */
  list(prefix: string): Promise<string[]>;
  /** Removes `key`; no error if absent. */
  delete(key: string): Promise<void>;
}

export interface PutOptions {
  contentType?: string;
}
