/** Where Modelship's own files are, wherever the command runs from. */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../../sdk/packageRoot';

/** The package root (the folder holding `package.json`). */
export { PACKAGE_ROOT };

/** A tool of the toolchain or of the repository's `.venv` (`activities/python/toolchain.ts` says where it is looked for). */
export { venvTool } from '../../activities/python/toolchain';

/**
 * The root of the code that is running: the package root when it runs from the TypeScript sources
 * (tsx, jest), `<package root>/dist` when it runs from the built package.
 */
const CODE_ROOT = path.resolve(__dirname, '..', '..');
const FROM_SOURCE = path.extname(__filename) === '.ts';

/**
 * Arguments to run one of our TypeScript entry points (`workers/cpu.ts`) with the current Node:
 * through tsx's loader (by absolute URL, so from any working directory) when running from source,
 * or its compiled `.js` beside this code when running from the built package.
 */
export function tsEntry(relativePath: string): { command: string; args: string[] } {
  if (!FROM_SOURCE) return { command: process.execPath, args: [path.join(CODE_ROOT, relativePath.replace(/\.ts$/, '.js'))] };
  const tsxLoader = pathToFileURL(require.resolve('tsx')).href;
  return { command: process.execPath, args: ['--import', tsxLoader, path.join(CODE_ROOT, relativePath)] };
}
