/** Content-addressed models: stored by sha256, verified on every read. */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { ModelArtifact, ModelFormat } from '../sdk/schemas';
import type { ArtifactStore, PutOptions } from './artifactStore';
import { storeKeys } from './keys';
import { ModelshipError } from '../sdk/errors';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The stored bytes do not hash to the digest they are stored under. They have been moved to
 * `quarantinedAt` (when set), so the next deployment that makes the artifact writes it anew.
 */
export class ArtifactCorruptError extends ModelshipError {
  override readonly name = 'ArtifactCorruptError';
  constructor(
    readonly key: string,
    readonly expected: string,
    readonly actual: string,
    readonly quarantinedAt?: string,
  ) {
    super(
      `artifact ${key} is corrupt: expected sha256 ${expected}, got ${actual}` +
        (quarantinedAt
          ? `; moved to ${quarantinedAt} and never reused: deploy again and the stage that made it writes it anew from its source (its lineage: ${storeKeys.lineageOf(key)})`
          : ''),
    );
  }
}

export class ArtifactMissingError extends ModelshipError {
  override readonly name = 'ArtifactMissingError';
  constructor(readonly key: string) {
    super(`artifact ${key} is not in the store`);
  }
}

/** Stores model bytes under their digest. Idempotent: the same bytes always land on the same key. */
export async function putModel(store: ArtifactStore, bytes: Uint8Array, format: ModelFormat): Promise<ModelArtifact> {
  const digest = sha256Hex(bytes);
  const key = storeKeys.model(digest);
  await putContentAddressed(store, key, bytes);
  return { digest, key, sizeBytes: bytes.byteLength, format };
}

/**
 * Writes content-addressed bytes unless they are there already; then it touches them instead, so a
 * reused artifact counts as recent for garbage collection's grace period.
 */
export async function putContentAddressed(store: ArtifactStore, key: string, bytes: Uint8Array, options?: PutOptions): Promise<void> {
  if (!(await store.touch(key))) await store.put(key, bytes, options);
}

/** Reads a model and checks its digest; throws if missing or corrupt (and quarantines a corrupt one). */
export async function getModel(store: ArtifactStore, digest: string): Promise<Uint8Array> {
  return getVerified(store, storeKeys.model(digest), digest);
}

/**
 * Reads a content-addressed object and checks it hashes to `digest`. A corrupt one is moved to
 * `quarantine/<key>` before {@link ArtifactCorruptError} is thrown, so it is never read again and
 * the next write of the same content replaces it.
 */
export async function getVerified(store: ArtifactStore, key: string, digest: string): Promise<Uint8Array> {
  const bytes = await store.get(key);
  if (!bytes) throw new ArtifactMissingError(key);
  return verified(store, key, digest, bytes, sha256Hex(bytes));
}

/**
 * `bytes` read from `key` when they hash (`actual`) to `digest`; otherwise moves them to
 * `quarantine/<key>` and throws {@link ArtifactCorruptError}. For readers that hash as they stream.
 */
export async function verified(store: ArtifactStore, key: string, digest: string, bytes: Uint8Array, actual: string): Promise<Uint8Array> {
  if (actual === digest) return bytes;
  const quarantined = storeKeys.quarantine(key);
  await store.put(quarantined, bytes);
  await store.delete(key);
  throw new ArtifactCorruptError(key, digest, actual, quarantined);
}

/** Reads and schema-checks a JSON document; `undefined` if absent. */
export async function readDocument<S extends z.ZodType>(store: ArtifactStore, key: string, schema: S): Promise<z.output<S> | undefined> {
  const bytes = await store.get(key);
  if (!bytes) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new Error(`store document ${key} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`store document ${key} does not match its schema: ${parsed.error.message}`);
  return parsed.data;
}

export async function writeDocument(store: ArtifactStore, key: string, document: unknown): Promise<void> {
  await store.put(key, Buffer.from(`${JSON.stringify(document, null, 2)}\n`), { contentType: 'application/json' });
}
