/**
 * What a running `modelship dev` records for the commands run beside it: where its Temporal frontend
 * and UI are (`<state dir>/environment.json`, removed when it stops), so `modelship deploy` links to
 * the UI the environment really serves (`--ui-port`), not a guess from the frontend's port.
 */
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const RECORD_FILE = 'environment.json';

/** The default state directory of `modelship dev`, where commands look for its record. */
const DEFAULT_STATE_DIR = '.modelship';

export interface EnvironmentRecord {
  temporalAddress: string;
  uiUrl?: string;
}

export async function writeEnvironmentRecord(stateDir: string, record: EnvironmentRecord): Promise<void> {
  await writeFile(path.join(stateDir, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

export async function removeEnvironmentRecord(stateDir: string): Promise<void> {
  await rm(path.join(stateDir, RECORD_FILE), { force: true });
}

/** The UI of the dev environment recorded in `stateDir` if its frontend is `temporalAddress`; else `undefined`. */
export function recordedUiUrl(temporalAddress: string, stateDir = DEFAULT_STATE_DIR): string | undefined {
  let record: Partial<EnvironmentRecord>;
  try {
    record = JSON.parse(readFileSync(path.join(stateDir, RECORD_FILE), 'utf8')) as Partial<EnvironmentRecord>;
  } catch {
    return undefined; // no environment recorded here (or an unreadable record): no link
  }
  const local = (address: string): string => address.replace(/^localhost:/, '127.0.0.1:');
  return typeof record.uiUrl === 'string' && typeof record.temporalAddress === 'string' && local(record.temporalAddress) === local(temporalAddress)
    ? record.uiUrl
    : undefined;
}
