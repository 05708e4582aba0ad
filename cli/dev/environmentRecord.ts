/**
 * What a running `modelship dev` records for the commands run beside it: where its Temporal frontend
 * and UI are (`<state dir>/environment.json`, removed when it stops), so `modelship deploy` links to
 * the UI the environment really serves (`--ui-port`), not a guess from the frontend's port. The
 * record names the process that wrote it: one left by a `modelship dev` killed without stopping
 * (SIGKILL) is ignored. Commands look in `MODELSHIP_STATE_DIR` (default `.modelship`), where
 * `modelship dev` keeps its state unless `--state-dir` says otherwise.
 */
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const RECORD_FILE = 'environment.json';

/** The state directory of `modelship dev` by default, where commands look for its record: `MODELSHIP_STATE_DIR`, else `.modelship`. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.MODELSHIP_STATE_DIR || '.modelship';
}

export interface EnvironmentRecord {
  temporalAddress: string;
  uiUrl?: string;
  /** The `modelship dev` process that wrote it. */
  pid?: number;
}

export async function writeEnvironmentRecord(stateDir: string, record: EnvironmentRecord): Promise<void> {
  await writeFile(path.join(stateDir, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

export async function removeEnvironmentRecord(stateDir: string): Promise<void> {
  await rm(path.join(stateDir, RECORD_FILE), { force: true });
}

/** The UI of the dev environment recorded in `stateDir` if its frontend is `temporalAddress`; else `undefined`. */
export function recordedUiUrl(temporalAddress: string, stateDir = defaultStateDir()): string | undefined {
  let record: Partial<EnvironmentRecord>;
  try {
    record = JSON.parse(readFileSync(path.join(stateDir, RECORD_FILE), 'utf8')) as Partial<EnvironmentRecord>;
  } catch {
    return undefined; // no environment recorded here (or an unreadable record): no link
  }
  if (typeof record.pid === 'number' && !writerRunning(record.pid)) return undefined; // a stale record: its environment is gone
  const local = (address: string): string => address.replace(/^localhost:/, '127.0.0.1:');
  return typeof record.uiUrl === 'string' && typeof record.temporalAddress === 'string' && local(record.temporalAddress) === local(temporalAddress)
    ? record.uiUrl
    : undefined;
}

/** Whether the process `pid` still runs (signal 0 tests without signalling; EPERM: it runs as another user). */
function writerRunning(pid: number): boolean {
  try {
    return process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
