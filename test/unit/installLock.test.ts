/**
 * The toolchain installation lock (`activities/python/installLock.ts`): taken and released, taken
 * over from a dead owner, and from a pid-less lock (a setup killed between creating the folder and
 * writing its pid, as older releases could leave): an empty folder at once, one with an empty pid
 * file once it is old, never while it is fresh.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PIDLESS_LOCK_STALE_MS, takeInstallLock } from '../../activities/python/installLock';

let dir: string;
let lockDir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'modelship-lock-'));
  lockDir = path.join(dir, 'toolchain.lock');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

test('the lock holds this process pid from the moment it exists, and release removes it', async () => {
  const release = await takeInstallLock(lockDir, () => undefined);
  expect(await readFile(path.join(lockDir, 'pid'), 'utf8')).toBe(String(process.pid));
  await release();
  expect(existsSync(lockDir)).toBe(false);
  expect(await readdir(dir)).toEqual([]); // no staging folder left behind
});

test('a lock whose owner is gone is taken over', async () => {
  await mkdir(lockDir);
  await writeFile(path.join(lockDir, 'pid'), '2147483646'); // no such process
  const release = await takeInstallLock(lockDir, () => undefined);
  expect(await readFile(path.join(lockDir, 'pid'), 'utf8')).toBe(String(process.pid));
  await release();
});

test('an empty lock folder is taken over at once', async () => {
  await mkdir(lockDir);
  const release = await takeInstallLock(lockDir, () => undefined);
  expect(await readFile(path.join(lockDir, 'pid'), 'utf8')).toBe(String(process.pid));
  await release();
});

test('a lock with an empty pid file is waited for while fresh and taken over once it is old', async () => {
  await mkdir(lockDir);
  await writeFile(path.join(lockDir, 'pid'), '');
  const reported: string[] = [];
  let taken = false;
  const taking = takeInstallLock(lockDir, (line) => reported.push(line), undefined, 10).then((release) => {
    taken = true;
    return release;
  });
  while (reported.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(reported).toEqual(['another setup is installing the toolchain: waiting for it']);
  expect(taken).toBe(false);
  const old = (Date.now() - PIDLESS_LOCK_STALE_MS - 1000) / 1000;
  await utimes(lockDir, old, old);
  const release = await taking;
  expect(await readFile(path.join(lockDir, 'pid'), 'utf8')).toBe(String(process.pid));
  await release();
});
