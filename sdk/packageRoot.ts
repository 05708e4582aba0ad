/**
 * The folder holding Modelship's `package.json`, whether this code runs from its TypeScript
 * sources (`<root>/sdk/`) or from the built package (`<root>/dist/sdk/`), and the version that
 * `package.json` declares.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const PACKAGE_ROOT = findPackageRoot(__dirname);

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '..');
  }
}

/** The `version` that Modelship's `package.json` declares (what the gateway reports as its server version). */
export function packageVersion(root = PACKAGE_ROOT): string {
  const manifest: unknown = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const version = typeof manifest === 'object' && manifest !== null ? (manifest as { version?: unknown }).version : undefined;
  if (typeof version !== 'string') throw new Error(`${path.join(root, 'package.json')} has no version`);
  return version;
}
