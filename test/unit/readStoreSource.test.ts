/**
 * Reading an uploaded source from the worker's store (a real filesystem store): refused on its
 * stored size before a byte is read, streamed in chunks that heartbeat, stopped when cancelled,
 * and checked against its digest as it is hashed (a corrupt copy quarantined).
 */
import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ReadSourceOptions } from '../../activities/ingest/sourceRead';
import { readStoreSource } from '../../activities/ingest/readStoreSource';
import { FsArtifactStore, storeKeys, type ArtifactStore } from '../../store';

let store: ArtifactStore;
const MiB = 1024 * 1024;

beforeAll(async () => {
  store = new FsArtifactStore(await mkdtemp(path.join(os.tmpdir(), 'modelship-store-source-')));
});

/** Puts `bytes` where the client uploads a source (under `digest`, its own unless said) and returns its `store:` location. */
async function upload(bytes: Uint8Array, digest = createHash('sha256').update(bytes).digest('hex')): Promise<string> {
  await store.put(`sources/${digest}.onnx`, bytes);
  return `store:sources/${digest}.onnx`;
}

function options(overrides: Partial<ReadSourceOptions> = {}, beats: unknown[] = []): ReadSourceOptions {
  return {
    policy: { roots: [], buckets: [], maxModelBytes: 1e9, maxDataBytes: 1e9 },
    maxBytes: 64 * MiB,
    failure: 'ModelSourceUnreadable',
    what: 'model source',
    capSetting: 'model.maxSourceBytes',
    context: { heartbeat: (details) => void beats.push(details), signal: new AbortController().signal },
    store,
    ...overrides,
  };
}

test('streamed in chunks, each heartbeating how far it got, and returned whole', async () => {
  const bytes = Buffer.alloc(9 * MiB, 3);
  const beats: unknown[] = [];
  expect(Buffer.compare(Buffer.from(await readStoreSource(await upload(bytes), options({}, beats))), bytes)).toBe(0);
  expect(beats.length).toBeGreaterThanOrEqual(3);
  expect(beats.at(-1)).toEqual({ phase: 'read', what: 'model source', bytesRead: 9 * MiB });
});

test('over the cap by its stored size: refused before a byte is read', async () => {
  const beats: unknown[] = [];
  const source = await upload(Buffer.alloc(2 * MiB, 1));
  await expect(readStoreSource(source, options({ maxBytes: MiB }, beats))).rejects.toThrow(
    `model source ${source} is ${2 * MiB} bytes, over the limit of ${MiB} bytes (model.maxSourceBytes)`,
  );
  expect(beats).toEqual([]);
});

test('a cancelled activity stops the read', async () => {
  const controller = new AbortController();
  controller.abort(new Error('activity cancelled'));
  const source = await upload(Buffer.alloc(5 * MiB, 2));
  await expect(readStoreSource(source, options({ context: { heartbeat: () => undefined, signal: controller.signal } }))).rejects.toThrow(/cancel|abort/i);
});

test('bytes that do not hash to the digest are refused and quarantined', async () => {
  const digest = createHash('sha256').update('something else').digest('hex');
  const source = await upload(Buffer.from('tampered'), digest);
  await expect(readStoreSource(source, options())).rejects.toThrow(`the model source ${source}: `);
  expect(await store.exists(`sources/${digest}.onnx`)).toBe(false);
  expect(await store.exists(storeKeys.quarantine(`sources/${digest}.onnx`))).toBe(true);
});

test('not in the store: refused, naming the store the client must upload to', async () => {
  const digest = createHash('sha256').update('never uploaded').digest('hex');
  await expect(readStoreSource(`store:sources/${digest}.onnx`, options())).rejects.toThrow("is not in this worker's store");
});
