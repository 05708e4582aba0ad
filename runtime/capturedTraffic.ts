/**
 * Captured traffic: the requests a gateway replica sampled for an endpoint's version, stored as
 * capture bundles under `capture/<endpoint>/<version>/` (the gateway writes them, see
 * `serving/trafficCapture.ts`), and the one reader every consumer uses (`modelship capture`,
 * `modelship traffic --captured`, the gates): newest first, bounded.
 *
 * A capture bundle is one JSON document: who captured what and when, and the inputs and outputs as
 * tensor bundles with one run per request (in the order served), so requests of any shape fit.
 *
 * @example
 * const { requests, versions } = await readCaptured(store, 'fraud', { maxRows: 500 });
 */
import { z } from 'zod';
import { readDocument, storeKeys, type ArtifactStore } from '../store';
import type { TensorMap } from './tensor';
import { decodeBundleRuns, encodeBundleRuns, tensorBundle } from './tensorBundle';

export const captureBundle = z.object({
  endpoint: z.string(),
  version: z.string(),
  replicaId: z.string(),
  /** When the bundle was written (ISO 8601). */
  capturedAt: z.string(),
  /** Rows in the bundle: the sum of the requests' batch sizes (first axis). */
  rows: z.number().int().nonnegative(),
  /** One run per request: its inputs. */
  inputs: tensorBundle,
  /** One run per request: the outputs it was answered with. */
  outputs: tensorBundle,
});
export type CaptureBundle = z.infer<typeof captureBundle>;

/** One served request, as captured. */
export interface CapturedRequest {
  readonly version: string;
  readonly inputs: TensorMap;
  readonly outputs: TensorMap;
  /** Its batch size: the first axis of its first input (1 for a scalar). */
  readonly rows: number;
}

export interface CapturedTraffic {
  /** Newest first. */
  readonly requests: CapturedRequest[];
  readonly rows: number;
  /** The versions the requests came from, newest first. */
  readonly versions: string[];
  /** When the newest bundle read was captured (ms since the epoch); undefined when none was read. */
  readonly newestMs: number | undefined;
}

export interface ReadCapturedOptions {
  /** Only this version's requests; default every version's. */
  version?: string;
  /** Stop once this many rows are read (whole requests: the last one may pass it). Default 1000. */
  maxRows?: number;
  /** Only bundles captured after this time (ms since the epoch). */
  sinceMs?: number;
}

/** The rows of one request: the first axis of its first input, or 1 when that is a scalar. */
export function requestRows(inputs: TensorMap): number {
  const first = Object.values(inputs)[0];
  return first && first.shape.length > 0 ? (first.shape[0] as number) : 1;
}

/** A capture bundle's document for `requests` (served in this order). */
export function encodeCaptureBundle(
  header: Pick<CaptureBundle, 'endpoint' | 'version' | 'replicaId' | 'capturedAt'>,
  requests: readonly Pick<CapturedRequest, 'inputs' | 'outputs'>[],
): CaptureBundle {
  return {
    ...header,
    rows: requests.reduce((n, r) => n + requestRows(r.inputs), 0),
    inputs: encodeBundleRuns(requests.map((r) => r.inputs)),
    outputs: encodeBundleRuns(requests.map((r) => r.outputs)),
  };
}

/** The endpoint's captured requests, newest first, until `maxRows` rows; empty when none were captured. */
export async function readCaptured(store: ArtifactStore, endpoint: string, options: ReadCapturedOptions = {}): Promise<CapturedTraffic> {
  const maxRows = options.maxRows ?? 1000;
  const keys = (await store.list(storeKeys.capturePrefix(endpoint, options.version)))
    .map((key) => ({ key, of: storeKeys.captureOf(key) }))
    .filter((k) => k.of !== undefined && k.of.timeMs > (options.sinceMs ?? -Infinity))
    .sort((a, b) => (b.of?.timeMs ?? 0) - (a.of?.timeMs ?? 0) || (a.key < b.key ? 1 : -1));
  const requests: CapturedRequest[] = [];
  const versions: string[] = [];
  let rows = 0;
  let newestMs: number | undefined;
  for (const { key, of } of keys) {
    if (rows >= maxRows) break;
    // A bundle retention deleted since the listing is skipped.
    const bundle = await readDocument(store, key, captureBundle);
    if (!bundle) continue;
    newestMs = Math.max(newestMs ?? 0, of?.timeMs ?? 0);
    const inputs = decodeBundleRuns(bundle.inputs);
    const outputs = decodeBundleRuns(bundle.outputs);
    for (let i = inputs.length - 1; i >= 0 && rows < maxRows; i--) {
      const request = { version: bundle.version, inputs: inputs[i] as TensorMap, outputs: outputs[i] ?? {}, rows: requestRows(inputs[i] as TensorMap) };
      requests.push(request);
      rows += request.rows;
      if (!versions.includes(bundle.version)) versions.push(bundle.version);
    }
  }
  return { requests, rows, versions, newestMs };
}
