/**
 * Tensor bundles: named tensors as JSON with base64 little-endian data, shared with the Python
 * tools (golden inputs, reference outputs, evaluation sets). Stored content-addressed under
 * `tensors/<sha256>.json`.
 */
import { z } from 'zod';
import { datatype } from '../sdk/schemas';
import { readDocument, sha256Hex, storeKeys, type ArtifactStore } from '../store';
import type { TensorMap } from './tensor';
import { tensorFromBytes } from './tensorBytes';

export const tensorBundle = z.object({
  tensors: z.record(z.string(), z.object({ datatype, shape: z.array(z.number().int().nonnegative()), data: z.string() })),
});

export function decodeBundle(bundle: z.infer<typeof tensorBundle>): TensorMap {
  const out: TensorMap = {};
  for (const [name, t] of Object.entries(bundle.tensors)) out[name] = tensorFromBytes(t.datatype, t.shape, Buffer.from(t.data, 'base64'));
  return out;
}

/** Stores bundle bytes (as the Python tools wrote them) by digest; returns the digest. */
export async function putBundle(store: ArtifactStore, bytes: Uint8Array): Promise<string> {
  tensorBundle.parse(JSON.parse(Buffer.from(bytes).toString('utf8')));
  const digest = sha256Hex(bytes);
  const key = storeKeys.tensorBundle(digest);
  if (!(await store.exists(key))) await store.put(key, bytes, { contentType: 'application/json' });
  return digest;
}

export async function getBundle(store: ArtifactStore, digest: string): Promise<TensorMap> {
  const bundle = await readDocument(store, storeKeys.tensorBundle(digest), tensorBundle);
  if (!bundle) throw new Error(`tensor bundle ${digest} is not in the store`);
  return decodeBundle(bundle);
}
