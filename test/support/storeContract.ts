/** The behaviour every ArtifactStore implementation must have; run against fs (unit) and S3 (integration). */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  ArtifactCorruptError,
  ArtifactMissingError,
  getModel,
  InvalidKeyError,
  listedVersion,
  putModel,
  readDocument,
  sha256Hex,
  storeKeys,
  writeDocument,
  type ArtifactStore,
} from '../../store';
import { routingDocument } from '../../sdk/schemas';

export function storeContract(makeStore: () => Promise<ArtifactStore>): void {
  let store: ArtifactStore;
  beforeEach(async () => {
    store = await makeStore();
  });

  test('get of a missing key is undefined, exists is false', async () => {
    expect(await store.get('nothing/here.json')).toBeUndefined();
    expect(await store.exists('nothing/here.json')).toBe(false);
  });

  test('put then get returns the same bytes; a second put replaces them whole', async () => {
    await store.put('a/b/c.bin', Buffer.from('first'));
    expect(Buffer.from((await store.get('a/b/c.bin')) ?? []).toString()).toBe('first');
    await store.put('a/b/c.bin', Buffer.from('second, longer'));
    expect(Buffer.from((await store.get('a/b/c.bin')) ?? []).toString()).toBe('second, longer');
    expect(await store.exists('a/b/c.bin')).toBe(true);
  });

  test('putFile streams a local file in when its size and sha256 match, and writes nothing when they do not', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'put-file-'));
    const file = path.join(dir, 'model.onnx');
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 7, 'm');
    await writeFile(file, bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await store.putFile('f/model.onnx', file, { sizeBytes: bytes.byteLength, sha256 });
    expect(Buffer.from((await store.get('f/model.onnx')) ?? []).equals(bytes)).toBe(true);
    await expect(store.putFile('f/other.onnx', file, { sizeBytes: bytes.byteLength, sha256: 'a'.repeat(64) })).rejects.toThrow();
    expect(await store.exists('f/other.onnx')).toBe(false);
    expect(await store.list('f/')).toEqual(['f/model.onnx']);
    await rm(dir, { recursive: true, force: true });
  });

  test('list returns the keys under a prefix, sorted, and nothing in flight', async () => {
    await store.put('x/2.json', Buffer.from('{}'));
    await store.put('x/1.json', Buffer.from('{}'));
    await store.put('x/deep/3.json', Buffer.from('{}'));
    await store.put('y/4.json', Buffer.from('{}'));
    expect(await store.list('x/')).toEqual(['x/1.json', 'x/2.json', 'x/deep/3.json']);
    expect(await store.list('missing/')).toEqual([]);
  });

  test('list with startAfter returns only the keys after it, empty objects included', async () => {
    for (const key of ['after/0001-a', 'after/0002-b', 'after/0003-c']) await store.put(key, new Uint8Array(0));
    expect(await store.list('after/', { startAfter: 'after/0001' })).toEqual(['after/0001-a', 'after/0002-b', 'after/0003-c']);
    expect(await store.list('after/', { startAfter: 'after/0002-b' })).toEqual(['after/0003-c']);
    expect(await store.list('after/', { startAfter: 'after/0004' })).toEqual([]);
  });

  test('delete removes, and deleting twice is fine', async () => {
    await store.put('d/key', Buffer.from('x'));
    await store.delete('d/key');
    await store.delete('d/key');
    expect(await store.exists('d/key')).toBe(false);
  });

  test.each(['../escape', '/absolute', 'a//b', 'a/./b', 'a/../b', 'bad\u0001key', 'a\\b', '.hidden', 'a/.tmp', ''])('refuses the key %j', async (key) => {
    await expect(store.put(key, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.get(key)).rejects.toBeInstanceOf(InvalidKeyError);
  });

  test('models are content-addressed, idempotent and verified on read', async () => {
    const bytes = Buffer.from('pretend this is an onnx model');
    const first = await putModel(store, bytes, 'onnx');
    const second = await putModel(store, bytes, 'onnx');
    expect(first).toEqual(second);
    expect(first.digest).toBe(sha256Hex(bytes));
    expect(first.key).toBe(`models/${first.digest}.onnx`);
    expect(Buffer.from(await getModel(store, first.digest)).toString()).toBe('pretend this is an onnx model');

    await store.put(first.key, Buffer.from('tampered'));
    await expect(getModel(store, first.digest)).rejects.toBeInstanceOf(ArtifactCorruptError);
    await expect(getModel(store, 'f'.repeat(64))).rejects.toBeInstanceOf(ArtifactMissingError);
  });

  test('a corrupt model is quarantined, never reused, and the next write of the same model replaces it', async () => {
    const bytes = Buffer.from('a model that will be damaged');
    const { key, digest } = await putModel(store, bytes, 'onnx');
    await store.put(key, Buffer.from('damaged'));
    const error = await getModel(store, digest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactCorruptError);
    expect((error as Error).message).toContain(`moved to quarantine/${key}`);
    expect((error as Error).message).toContain('deploy again');
    expect(await store.exists(key)).toBe(false);
    expect(Buffer.from((await store.get(`quarantine/${key}`)) ?? []).toString()).toBe('damaged');
    await putModel(store, bytes, 'onnx');
    expect(Buffer.from(await getModel(store, digest)).toString()).toBe('a model that will be damaged');
  });

  test('listObjects gives sizes and modified times; touch makes an object recent, and is false for a missing one', async () => {
    const before = Date.now();
    await store.put('t/a.bin', Buffer.from('abc'));
    const [listed] = await store.listObjects('t/');
    expect(listed).toEqual({ key: 't/a.bin', sizeBytes: 3, modifiedMs: expect.any(Number), etag: expect.any(String) });
    expect(listed?.modifiedMs).toBeGreaterThan(before - 5_000);
    expect(await store.touch('t/a.bin')).toBe(true);
    expect(Buffer.from((await store.get('t/a.bin')) ?? []).toString()).toBe('abc');
    expect(await store.touch('t/missing.bin')).toBe(false);
    expect(await store.listObjects('missing/')).toEqual([]);
  });

  test('a rewrite of the same size lists as another version, even within one second (its ETag differs)', async () => {
    await store.put('t/doc.json', Buffer.from('{"generation":1}'));
    const [first] = await store.listObjects('t/');
    await store.put('t/doc.json', Buffer.from('{"generation":2}'));
    const [second] = await store.listObjects('t/');
    expect(second?.sizeBytes).toBe(first?.sizeBytes);
    expect(listedVersion(second!)).not.toBe(listedVersion(first!));
  });

  test('documents are schema-checked on read', async () => {
    const key = storeKeys.routing('ep');
    await writeDocument(store, key, { endpoint: 'ep', generation: 1, versions: [{ version: 'v1', digest: 'a'.repeat(64), weight: 100 }] });
    expect((await readDocument(store, key, routingDocument))?.generation).toBe(1);
    await store.put(key, Buffer.from('{"endpoint":"ep","generation":1,"versions":[{"version":"v1","digest":"x","weight":50}]}'));
    await expect(readDocument(store, key, routingDocument)).rejects.toThrow(/does not match its schema/);
    await store.put(key, Buffer.from('{not json'));
    await expect(readDocument(store, key, routingDocument)).rejects.toThrow(/not valid JSON/);
  });
}
