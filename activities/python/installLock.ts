/**
 * The toolchain installation lock: a folder beside the toolchain holding its owner's pid. The
 * folder is filled in a temporary place and renamed into place, so a lock never exists without its
 * pid; one whose owner is gone is taken over, and so is a pid-less one (left by an older release
 * killed between creating it and writing its pid): an empty folder at once (the rename replaces
 * it), one with an empty pid file once it is {@link PIDLESS_LOCK_STALE_MS} old.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** How old a lock without a readable pid must be before it is taken over. */
export const PIDLESS_LOCK_STALE_MS = 30_000;

/**
 * Takes the lock `lockDir`; waits while a live process holds it, and takes over one whose owner is
 * gone. Resolves with its release; rejects when `signal` aborts the wait.
 */
export async function takeInstallLock(lockDir: string, report: (line: string) => void, signal?: AbortSignal, pollMs = 1000): Promise<() => Promise<void>> {
  let waiting = false;
  for (;;) {
    if (await create(lockDir)) return () => rm(lockDir, { recursive: true, force: true });
    const owner = await lockOwner(lockDir);
    if (owner === 'gone') {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!waiting) report(`another setup${owner === undefined ? '' : ` (pid ${owner})`} is installing the toolchain: waiting for it`);
    waiting = true;
    await sleep(pollMs, undefined, { signal });
  }
}

/** Creates the lock with this process's pid in it, atomically; false when it exists already. */
async function create(lockDir: string): Promise<boolean> {
  const staging = `${lockDir}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await mkdir(staging);
  try {
    await writeFile(path.join(staging, 'pid'), String(process.pid));
    await rename(staging, lockDir); // fails when lockDir exists (a folder with a file in it)
    return true;
  } catch (error) {
    if (!['EEXIST', 'ENOTEMPTY'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
    return false;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The live owner's pid, `'gone'` when the lock can be taken over, `undefined` when it cannot be told yet. */
async function lockOwner(lockDir: string): Promise<number | 'gone' | undefined> {
  const owner = Number.parseInt(await readFile(path.join(lockDir, 'pid'), 'utf8').catch(() => ''), 10);
  if (Number.isInteger(owner)) return isAlive(owner) ? owner : 'gone';
  const created = await stat(lockDir).catch(() => undefined);
  if (!created) return 'gone'; // released meanwhile: take it
  return Date.now() - created.mtimeMs > PIDLESS_LOCK_STALE_MS ? 'gone' : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
