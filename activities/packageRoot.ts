/**
 * The folder holding Modelship's `package.json`, whether this code runs from its TypeScript
 * sources (`<root>/activities/`) or from the built package (`<root>/dist/activities/`).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const PACKAGE_ROOT = findPackageRoot(__dirname);

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '..');
  }
}
