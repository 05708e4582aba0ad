/** Where Modelship's own files are, wherever the command runs from. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The package root (the folder holding `package.json`). */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

/** A tool from the project's Python venv (`.venv/bin/<name>`), or the one on PATH. */
export function venvTool(name: string, envOverride?: string): string {
  if (envOverride) return envOverride;
  const local = path.join(PACKAGE_ROOT, '.venv', 'bin', name);
  return existsSync(local) ? local : name;
}

/** tsx's loader by absolute URL, so child processes start from any working directory. */
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;

/** Arguments to run one of our TypeScript entry points with the current Node. */
export function tsEntry(relativePath: string): { command: string; args: string[] } {
  return { command: process.execPath, args: ['--import', TSX_LOADER, path.join(PACKAGE_ROOT, relativePath)] };
}
