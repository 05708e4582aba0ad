/**
 * Where the toolchain is looked for (`activities/python/toolchain.ts`), that `setupToolchain` finds
 * a finished installation again without doing anything, and that a missing interpreter or dev
 * server is reported with the command that installs it.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ApplicationFailure } from '@temporalio/common';
import { runPythonTool, TOOLCHAIN_MISSING } from '../../activities/python/pythonTool';
import { pythonToolchainProblem } from '../../activities/python/toolchainCheck';
import {
  installedToolchain,
  missingPackageMessage,
  modelshipHome,
  toolchainDir,
  toolchainRequirementsHash,
  toolMissingMessage,
  venvTool,
  TOOLCHAIN_RECORD,
} from '../../activities/python/toolchain';
import { setupToolchain } from '../../activities/python/toolchainSetup';
import { freePort } from '../../cli/dev/ports';
import { startTemporalDevServer } from '../../cli/dev/temporalDevServer';
import { SetupError } from '../../sdk/errors';

let home: string;
const saved = { ...process.env };

beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'modelship-home-'));
});
afterEach(async () => {
  process.env = { ...saved };
  await rm(home, { recursive: true, force: true });
});

/** A finished installation as `setupToolchain` leaves it (the tools are stand-ins). */
async function fakeInstallation(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'bin'), { recursive: true });
  for (const tool of ['python', 'temporal']) await writeFile(path.join(dir, 'bin', tool), '#!/bin/sh\n', { mode: 0o755 });
  const record = { requirementsHash: toolchainRequirementsHash(), python: '3.11.7', temporal: '1.9.1', installedAt: new Date(0).toISOString() };
  await writeFile(path.join(dir, TOOLCHAIN_RECORD), JSON.stringify(record));
}

test('the toolchain lives in MODELSHIP_HOME, else under XDG_CACHE_HOME, else ~/.cache, in a folder named after the requirements', () => {
  expect(modelshipHome({ MODELSHIP_HOME: '/opt/ms', XDG_CACHE_HOME: '/c' })).toBe('/opt/ms');
  expect(modelshipHome({ XDG_CACHE_HOME: '/c' })).toBe('/c/modelship');
  expect(modelshipHome({})).toBe(path.join(os.homedir(), '.cache', 'modelship'));
  expect(toolchainRequirementsHash()).toMatch(/^[0-9a-f]{12}$/);
  expect(toolchainDir({ MODELSHIP_HOME: '/opt/ms' })).toBe(`/opt/ms/toolchain-${toolchainRequirementsHash()}`);
});

test('a variable naming a tool wins; what a missing tool says names `npx modelship setup`', () => {
  expect(venvTool('temporal', '/usr/local/bin/temporal')).toBe('/usr/local/bin/temporal');
  expect(toolMissingMessage('temporal', '/x/bin/temporal', {})).toMatch(
    /the Temporal dev server is not installed \(no \/x\/bin\/temporal\): run `npx modelship setup`/,
  );
  expect(toolMissingMessage('python', '/x/bin/python', {})).toContain('run `npx modelship setup`, or name one with MODELSHIP_PYTHON');
  expect(toolMissingMessage('python', '/nope', { MODELSHIP_PYTHON: '/nope' })).toMatch(
    /^MODELSHIP_PYTHON names \/nope, which cannot be started: .*`npx modelship setup`/,
  );
});

test('setup finds a finished installation and does nothing; an unfinished one is not taken for installed', async () => {
  process.env.MODELSHIP_HOME = home;
  const dir = toolchainDir();
  await mkdir(path.join(dir, 'bin'), { recursive: true });
  expect(installedToolchain(dir)).toBeUndefined(); // no record: an interrupted installation
  await fakeInstallation(dir);
  const reported: string[] = [];
  const setup = await setupToolchain({ report: (line) => reported.push(line) });
  expect(reported).toEqual([]);
  expect(setup).toMatchObject({ dir, installed: false, seconds: 0, record: { python: '3.11.7', temporal: '1.9.1' } });
});

test('a missing interpreter fails the Python tool with the command that installs it', async () => {
  process.env.MODELSHIP_PYTHON = path.join(home, 'no-python');
  await expect(runPythonTool('signature', {}, z.unknown(), { timeoutMs: 10_000 })).rejects.toThrow(/MODELSHIP_PYTHON names .*no-python.*`npx modelship setup`/);
});

test('a missing dev server fails with the command that installs it', async () => {
  process.env.MODELSHIP_TEMPORAL_BIN = path.join(home, 'no-temporal');
  const failure = startTemporalDevServer({ port: await freePort() });
  await expect(failure).rejects.toThrow(/MODELSHIP_TEMPORAL_BIN names .*no-temporal.*`npx modelship setup`/);
  await expect(failure).rejects.toBeInstanceOf(SetupError); // what to do in its hint, as the CLI and workers print it
});

/** A real Python without the toolchain's packages: the repository's interpreter with site-packages off (`-S`). */
async function pythonWithoutPackages(): Promise<string> {
  const wrapper = path.join(home, 'bare-python');
  await writeFile(wrapper, `#!/bin/sh\nexec ${venvTool('python')} -S "$@"\n`, { mode: 0o755 });
  return wrapper;
}

test('a Python without the packages fails the tool at once (non-retryable), naming the setup command and MODELSHIP_PYTHON', async () => {
  process.env.MODELSHIP_PYTHON = await pythonWithoutPackages();
  const failure = await runPythonTool('signature', {}, z.unknown(), { timeoutMs: 30_000 }).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type: TOOLCHAIN_MISSING, nonRetryable: true });
  expect((failure as Error).message).toMatch(/the package \w+ is missing; MODELSHIP_PYTHON names .*bare-python, which lacks .*`npx modelship setup`/);
});

test("a worker's start check finds a Python without the packages, and none in the repository's toolchain", async () => {
  expect(await pythonToolchainProblem(await pythonWithoutPackages())).toMatch(/the package \w+ is missing; run `npx modelship setup`/);
  expect(await pythonToolchainProblem(path.join(home, 'no-python'))).toMatch(/not installed .* run `npx modelship setup`/);
  expect(await pythonToolchainProblem(venvTool('python'))).toBeUndefined();
});

test('missing-package messages are recognised from Python tracebacks', () => {
  expect(missingPackageMessage("Traceback ...\nModuleNotFoundError: No module named 'onnx'\n", '/usr/bin/python3', {})).toBe(
    "/usr/bin/python3 cannot run Modelship's converters: the package onnx is missing; run `npx modelship setup` (or name a Python that has the toolchain with MODELSHIP_PYTHON)",
  );
  expect(missingPackageMessage('ImportError: libgomp.so.1: cannot open shared object file\n', 'py', {})).toMatch(/a package cannot be imported \(libgomp/);
  expect(missingPackageMessage('ValueError: bad model', 'py', {})).toBeUndefined();
});

test('setup refuses a Python older than 3.11 before installing anything, naming the option that picks another', async () => {
  process.env.MODELSHIP_HOME = home;
  const oldPython = path.join(home, 'python3.9');
  await writeFile(oldPython, '#!/bin/sh\necho 3.9\n', { mode: 0o755 }); // answers the version check as Python 3.9 would
  await expect(setupToolchain({ python: oldPython })).rejects.toThrow(
    /needs Python 3\.11 or newer, and .*python3\.9 is Python 3\.9: name a newer interpreter \(`--python` of `npx modelship setup`, the `python` option of setupToolchain\)/,
  );
  expect(existsSync(toolchainDir())).toBe(false);
});

test('aborting setup (Ctrl-C) kills the running step and rejects with the abort reason', async () => {
  process.env.MODELSHIP_HOME = home;
  const pidFile = path.join(home, 'step.pid');
  const slowPython = path.join(home, 'slow-python');
  // Answers the version check as Python 3.12, then hangs in `-m venv` as a slow pip would.
  await writeFile(slowPython, `#!/bin/sh\nif [ "$1" = -c ]; then echo 3.12; exit 0; fi\necho $$ > ${pidFile}\nexec sleep 300\n`, { mode: 0o755 });
  const controller = new AbortController();
  const setup = setupToolchain({ python: slowPython, signal: controller.signal });
  while (!existsSync(pidFile)) await new Promise((resolve) => setTimeout(resolve, 20));
  const pid = Number((await readFile(pidFile, 'utf8')).trim());
  controller.abort(new Error('interrupted'));
  await expect(setup).rejects.toThrow('interrupted');
  expect(() => process.kill(pid, 0)).toThrow(); // the step is gone
  expect(existsSync(`${toolchainDir()}.lock`)).toBe(false); // and the lock released
});

test('a record that is malformed or of other requirements is not taken for an installation', async () => {
  const dir = path.join(home, 'toolchain');
  await fakeInstallation(dir);
  expect(installedToolchain(dir)).toMatchObject({ python: '3.11.7' });
  await writeFile(path.join(dir, TOOLCHAIN_RECORD), JSON.stringify({ requirementsHash: 'other', python: '3.11.7', temporal: '1.9.1', installedAt: '' }));
  expect(installedToolchain(dir)).toBeUndefined();
  await writeFile(path.join(dir, TOOLCHAIN_RECORD), JSON.stringify({ requirementsHash: toolchainRequirementsHash() }));
  expect(installedToolchain(dir)).toBeUndefined();
});
