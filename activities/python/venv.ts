/** Where the Python toolchain is: the project venv (`.venv`), or `MODELSHIP_PYTHON`. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../sdk/packageRoot';

/** Folder of the Python scripts (`modelTools.py`); the build copies them beside the compiled code. */
export const PYTHON_TOOL_ROOT = __dirname;

export function venvPython(): string {
  if (process.env.MODELSHIP_PYTHON) return process.env.MODELSHIP_PYTHON;
  const local = path.join(PACKAGE_ROOT, '.venv', 'bin', 'python');
  return existsSync(local) ? local : 'python3';
}
