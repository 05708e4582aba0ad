/**
 * The check a worker makes at start: can the toolchain's Python (`venv.ts`) import what the
 * converters need? A worker that cannot convert says so at once instead of at its first deployment.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { missingPackageMessage, toolMissingMessage } from './toolchain';
import { venvPython } from './venv';

const run = promisify(execFile);

/** The modules every converter run imports. */
const REQUIRED_MODULES = ['numpy', 'onnx', 'onnxruntime'];

/** What is wrong with the toolchain's Python (not there, or missing a package), or `undefined` when it can run the converters. */
export async function pythonToolchainProblem(python: string = venvPython()): Promise<string | undefined> {
  try {
    await run(python, ['-c', `import ${REQUIRED_MODULES.join(', ')}`], { timeout: 60_000 });
    return undefined;
  } catch (error) {
    const { code, stderr } = error as NodeJS.ErrnoException & { stderr?: string };
    if (code === 'ENOENT') return toolMissingMessage('python', python);
    return missingPackageMessage(stderr ?? '', python) ?? `${python} cannot import ${REQUIRED_MODULES.join(', ')}: ${(stderr ?? String(error)).trim()}`;
  }
}
