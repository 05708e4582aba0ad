/** Content-addressed models: stored by sha256, verified on every read. */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { ModelArtifact, ModelFormat } from '../sdk/schemas';
import type { ArtifactStore } from './artifactStore';
import { storeKeys } from './keys';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The stored bytes do not hash to the digest they are stored under. */
export class ArtifactCorruptError extends Error {
  override readonly name = 'ArtifactCorruptError';
  constructor(
    readonly key: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`artifact ${key} is corrupt: expected sha256 ${expected}, got ${actual}`);
  }
}

export class ArtifactMissingError extends Error {
  override readonly name = 'ArtifactMissingError';
  constructor(readonly key: string) {
    super(`artifact ${key} is not in the store`);
  }
}

/** Stores model bytes under their digest. Idempotent: the same bytes always land on the same key. */
export async function putModel(store: ArtifactStore, bytes: Uint8Array, format: ModelFormat): Promise<ModelArtifact> {
  const digest = sha256Hex(bytes);
  const key = storeKeys.model(digest);
  if (!(await store.exists(key))) await store.put(key, bytes);
  return { digest, key, sizeBytes: bytes.byteLength, format };
}

/** Reads a model and checks its digest; throws if missing or corrupt. */
export async function getModel(store: ArtifactStore, digest: string): Promise<Uint8Array> {
  const key = storeKeys.model(digest);
  const bytes = await store.get(key);
  if (!bytes) throw new ArtifactMissingError(key);
  const actual = sha256Hex(bytes);
  if (actual !== digest) throw new ArtifactCorruptError(key, digest, actual);
  return bytes;
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
