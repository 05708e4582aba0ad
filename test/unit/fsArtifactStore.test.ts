import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FsArtifactStore, openStore } from '../../store';
import { storeContract } from '../support/storeContract';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function newRoot(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modelship-fs-store-'));
  dirs.push(dir);
  return dir;
}

describe('FsArtifactStore', () => {
  storeContract(async () => new FsArtifactStore(await newRoot()));

  test('concurrent writers never leave a torn or temporary file visible', async () => {
    const root = await newRoot();
    const store = new FsArtifactStore(root);
    const payloads = Array.from({ length: 20 }, (_, i) => Buffer.alloc(256 * 1024, i));
    const reads: Promise<void>[] = [];
    await Promise.all(
      payloads.map(async (p) => {
        await store.put('race/object.bin', p);
        reads.push(
          (async () => {
            const got = Buffer.from((await store.get('race/object.bin')) ?? []);
            expect(got.length).toBe(256 * 1024);
            expect(got.every((b) => b === got[0])).toBe(true);
          })(),
        );
      }),
    );
    await Promise.all(reads);
    expect(await readdir(path.join(root, 'race'))).toEqual(['object.bin']);
  });

  test('openStore understands paths, file:// URIs and s3:// URIs', async () => {
    const root = await newRoot();
    expect(openStore(root).uri).toBe(`file://${root}`);
    expect(openStore(`file://${root}`).uri).toBe(`file://${root}`);
    expect(openStore('s3://bucket/some/prefix/', { env: {} }).uri).toBe('s3://bucket/some/prefix');
    expect(() => openStore('ftp://host/x')).toThrow(/unsupported store URI/);
    expect(() => openStore('s3://')).toThrow(/names no bucket/);
  });
});
