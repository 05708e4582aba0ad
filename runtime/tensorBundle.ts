/**
 * Tensor bundles: named tensors as JSON with base64 little-endian data, shared with the Python
 * tools (golden inputs, reference outputs, evaluation sets). Stored content-addressed under
 * `tensors/<sha256>.json`. A bundle holds one set of tensors (`tensors`), or several runs (`runs`):
 * inputs fed one run at a time (a fixed batch of 1, shapes that vary across samples) and the
 * outputs of each run, in order.
 */
import { z } from 'zod';
import { datatype } from '../sdk/schemas';
import { putContentAddressed, readDocument, sha256Hex, storeKeys, type ArtifactStore } from '../store';
import type { TensorMap } from './tensor';
import { tensorFromBytes, tensorToBytes } from './tensorBytes';

const encodedTensors = z.record(z.string(), z.object({ datatype, shape: z.array(z.number().int().nonnegative()), data: z.string() }));

export const tensorBundle = z.union([z.object({ tensors: encodedTensors }), z.object({ runs: z.array(encodedTensors).min(1) })]);
export type TensorBundle = z.infer<typeof tensorBundle>;

function decodeTensors(tensors: z.infer<typeof encodedTensors>): TensorMap {
  const out: TensorMap = {};
  for (const [name, t] of Object.entries(tensors)) out[name] = tensorFromBytes(t.datatype, t.shape, Buffer.from(t.data, 'base64'));
  return out;
}

function encodeTensors(tensors: TensorMap): z.infer<typeof encodedTensors> {
  return Object.fromEntries(
    Object.entries(tensors).map(([name, t]) => [name, { datatype: t.datatype, shape: [...t.shape], data: tensorToBytes(t).toString('base64') }]),
  );
}

/** The runs of a bundle (a one-set bundle is one run). */
export function decodeBundleRuns(bundle: TensorBundle): TensorMap[] {
  return 'runs' in bundle ? bundle.runs.map(decodeTensors) : [decodeTensors(bundle.tensors)];
}

/** A one-set bundle's tensors; a bundle of several runs is refused (read it with `decodeBundleRuns`). */
export function decodeBundle(bundle: TensorBundle): TensorMap {
  if ('tensors' in bundle) return decodeTensors(bundle.tensors);
  if (bundle.runs.length === 1) return decodeTensors(bundle.runs[0] as z.infer<typeof encodedTensors>);
  throw new Error(`the tensor bundle holds ${bundle.runs.length} runs, not one set of tensors`);
}

/** Runs as bundle JSON (one run as a one-set bundle), the form the Python tools read. */
export function encodeBundleRuns(runs: readonly TensorMap[]): TensorBundle {
  return runs.length === 1 ? { tensors: encodeTensors(runs[0] as TensorMap) } : { runs: runs.map(encodeTensors) };
}

/** Stores bundle bytes (as the Python tools wrote them) by digest; returns the digest. */
export async function putBundle(store: ArtifactStore, bytes: Uint8Array): Promise<string> {
  tensorBundle.parse(JSON.parse(Buffer.from(bytes).toString('utf8')));
  const digest = sha256Hex(bytes);
  const key = storeKeys.tensorBundle(digest);
  await putContentAddressed(store, key, bytes, { contentType: 'application/json' });
  return digest;
}

async function readBundle(store: ArtifactStore, digest: string): Promise<TensorBundle> {
  const bundle = await readDocument(store, storeKeys.tensorBundle(digest), tensorBundle);
  if (!bundle) throw new Error(`tensor bundle ${digest} is not in the store`);
  return bundle;
}

/** A one-set bundle (an evaluation set) by digest. */
export async function getBundle(store: ArtifactStore, digest: string): Promise<TensorMap> {
  return decodeBundle(await readBundle(store, digest));
}

/** Every run of a bundle (golden inputs, reference outputs) by digest. */
export async function getBundleRuns(store: ArtifactStore, digest: string): Promise<TensorMap[]> {
  return decodeBundleRuns(await readBundle(store, digest));
}
