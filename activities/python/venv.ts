/** The Python interpreter the activities run their tools with, and the folder of those tools. */
import { venvTool } from './toolchain';

/** Folder of the Python scripts (`modelTools.py`); the build copies them beside the compiled code. */
export const PYTHON_TOOL_ROOT = __dirname;

/** `MODELSHIP_PYTHON`, else the repository's `.venv`, else the toolchain of `npx modelship setup` (see `toolchain.ts`). */
export function venvPython(): string {
  return venvTool('python', process.env.MODELSHIP_PYTHON);
}
