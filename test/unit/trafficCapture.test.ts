/**
 * Sampled data capture: the sampler (injected coin), bundles written at max rows or on flush,
 * retention, write failures that only log, and the reader (newest first, bounded) and sample set.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TensorMap } from '../../runtime';
import { capturedSampleSet } from '../../runtime/capturedSamples';
import { readCaptured } from '../../runtime/capturedTraffic';
import { TrafficCapture, type CaptureOptions } from '../../serving/trafficCapture';
import { FsArtifactStore, storeKeys, type ArtifactStore } from '../../store';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function newStore(): Promise<FsArtifactStore> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modelship-capture-'));
  dirs.push(dir);
  return new FsArtifactStore(dir);
}

function features(batch: number, value: number): TensorMap {
  return { features: { datatype: 'FP32', shape: [batch, 2], data: new Float32Array(batch * 2).fill(value) } };
}
const label: TensorMap = { label: { datatype: 'INT64', shape: [1], data: new BigInt64Array([3n]) } };

/** A capture with a clock that ticks 1 ms per bundle and a coin that always lands on "keep" (rate 1) unless given. */
function capture(store: ArtifactStore, options: Partial<CaptureOptions> & { random?: () => number; log?: (m: string) => void } = {}): TrafficCapture {
  let t = 1_700_000_000_000;
  return new TrafficCapture({ rate: 1, flushIntervalMs: 3_600_000, store, replicaId: 'r1', log: options.log ?? (() => undefined), now: () => t++, ...options });
}

test('rate 0 keeps nothing and starts no timer; a rate keeps the requests whose coin falls under it', async () => {
  const store = await newStore();
  const off = new TrafficCapture({ rate: 0, store, replicaId: 'r1', log: () => undefined });
  expect(off.enabled).toBe(false);
  off.offer('ep', 'v1', features(1, 1), label);
  await off.close();
  expect(await store.list('capture/')).toEqual([]);

  const coins = [0.05, 0.5, 0.09, 0.99];
  const sampled = capture(store, { rate: 0.1, random: () => coins.shift() ?? 1 });
  for (let i = 0; i < 4; i++) sampled.offer('ep', 'v1', features(1, i), label);
  await sampled.close();
  const { requests } = await readCaptured(store, 'ep');
  expect(requests.map((r) => (r.inputs.features?.data as Float32Array)[0])).toEqual([2, 0]);
});

test('a bundle is written when it holds max rows (a batch counts its rows), the rest on flush, under capture/<endpoint>/<version>/', async () => {
  const store = await newStore();
  const c = capture(store, { maxRows: 4 });
  c.offer('ep', 'v1', features(3, 1), label);
  c.offer('ep', 'v1', features(1, 2), label); // 4 rows: written without a flush
  c.offer('ep', 'v2', features(2, 3), label);
  await c.flush();
  const keys = await store.list('capture/');
  expect(keys).toHaveLength(2);
  expect(keys.map((k) => storeKeys.captureOf(k)?.version)).toEqual(['v1', 'v2']);
  const v1 = await readCaptured(store, 'ep', { version: 'v1' });
  expect(v1.rows).toBe(4);
  expect(v1.requests.map((r) => r.rows)).toEqual([1, 3]); // newest first
  expect(v1.requests[0]?.outputs.label?.data).toEqual(new BigInt64Array([3n]));
  await c.close();
});

test('retention keeps the newest bundles of a version and deletes older ones', async () => {
  const store = await newStore();
  const c = capture(store, { maxRows: 1, retention: 3 });
  for (let i = 0; i < 6; i++) {
    c.offer('ep', 'v1', features(1, i), label);
    await c.flush();
  }
  await c.close();
  expect(await store.list(storeKeys.capturePrefix('ep', 'v1'))).toHaveLength(3);
  const { requests } = await readCaptured(store, 'ep');
  expect(requests.map((r) => (r.inputs.features?.data as Float32Array)[0])).toEqual([5, 4, 3]);
});

test('a failing store write is logged and the bundle dropped; the next one is written', async () => {
  const store = await newStore();
  const logged: string[] = [];
  let fail = true;
  const flaky: ArtifactStore = Object.assign(Object.create(store) as ArtifactStore, {
    put: (key: string, body: Uint8Array) => (fail ? Promise.reject(new Error('disk full')) : store.put(key, body)),
  });
  const c = capture(flaky, { log: (m) => logged.push(m) });
  c.offer('ep', 'v1', features(1, 1), label);
  await expect(c.flush()).resolves.toBeUndefined();
  expect(logged.join('\n')).toMatch(/capture of ep\/v1: 1 request\(s\) dropped: Error: disk full/);
  fail = false;
  c.offer('ep', 'v1', features(1, 2), label);
  await c.close();
  expect((await readCaptured(store, 'ep')).rows).toBe(1);
});

test('reading is bounded by max rows (whole requests), newest first across versions', async () => {
  const store = await newStore();
  const c = capture(store);
  c.offer('ep', 'v1', features(2, 1), label);
  await c.flush();
  c.offer('ep', 'v2', features(2, 2), label);
  c.offer('ep', 'v2', features(2, 3), label);
  await c.close();
  const read = await readCaptured(store, 'ep', { maxRows: 3 });
  expect(read.requests.map((r) => (r.inputs.features?.data as Float32Array)[0])).toEqual([3, 2]);
  expect(read.versions).toEqual(['v2']);
  expect((await readCaptured(store, 'ep')).versions).toEqual(['v2', 'v1']);
  expect(await readCaptured(store, 'other')).toEqual({ requests: [], rows: 0, versions: [] });
});

test('reading since a time: only bundles captured after it, and when the newest one read was captured (what drift checks consume)', async () => {
  const store = await newStore();
  const c = capture(store);
  c.offer('ep', 'v1', features(1, 1), label);
  await c.flush();
  c.offer('ep', 'v1', features(1, 2), label);
  await c.close();
  const all = await readCaptured(store, 'ep');
  expect(all.newestMs).toBe(1_700_000_000_001);
  const since = await readCaptured(store, 'ep', { sinceMs: 1_700_000_000_000 });
  expect(since.requests.map((r) => (r.inputs.features?.data as Float32Array)[0])).toEqual([2]);
  expect(since.newestMs).toBe(1_700_000_000_001);
  expect((await readCaptured(store, 'ep', { sinceMs: 1_700_000_000_001 })).requests).toEqual([]);
});

test('a sample set: same-batch requests concatenate as rows in served order; other shapes are left out', () => {
  const request = (inputs: TensorMap) => ({ version: 'v1', inputs, outputs: {}, rows: inputs.features?.shape[0] ?? 1 });
  const set = capturedSampleSet([
    request(features(1, 3)),
    request(features(2, 2)),
    request({ features: { datatype: 'FP32', shape: [1, 5], data: new Float32Array(5) } }),
  ]);
  expect(set?.layout).toBe('rows');
  expect(set?.count).toBe(3);
  expect(set?.samples.features?.shape).toEqual([3, 2]);
  expect([...(set?.samples.features?.data as Float32Array)]).toEqual([2, 2, 2, 2, 3, 3]);
  expect(set?.leftOut).toEqual([{ shapes: 'features:FP32[*,5]', requests: 1 }]);
  expect(capturedSampleSet([])).toBeUndefined();
});

test('a sample set of requests with a scalar or a state input stacks whole requests along a new first axis', () => {
  const inputs = (v: number): TensorMap => ({
    audio: { datatype: 'FP32', shape: [1, 3], data: new Float32Array(3).fill(v) },
    state: { datatype: 'FP32', shape: [2, 1, 2], data: new Float32Array(4) },
    sr: { datatype: 'INT64', shape: [], data: new BigInt64Array([16000n]) },
  });
  const set = capturedSampleSet([1, 2].map((v) => ({ version: 'v1', inputs: inputs(v), outputs: {}, rows: 1 })));
  expect(set?.layout).toBe('requests');
  expect(set?.count).toBe(2);
  expect(set?.samples.audio?.shape).toEqual([2, 1, 3]);
  expect(set?.samples.state?.shape).toEqual([2, 2, 1, 2]);
  expect(set?.samples.sr?.shape).toEqual([2]);
});
