/**
 * The README's "Use it in your project" quick start, performed as a user performs it, from the packed
 * tarball, in a scratch project outside the repository (so nothing resolves from this repository's
 * node_modules): `npm init -y`; `npm install` of the tarball with `ONNXRUNTIME_NODE_INSTALL=skip`,
 * then jest and @swc/jest; `npx modelship setup`; the README's files (each fenced block of that
 * section whose first line is `// <file>`); the example classifier as `models/classifier.onnx`; and
 * stock `npx jest` (no flags), whose test deploys it with `modelship/testing` and expects it promoted.
 *
 * Kept between runs, like a user's machine: the scratch project's node_modules (a new tarball is
 * installed over it) and the toolchain (`MODELSHIP_HOME` under `.modelship/home`, so the second run
 * of `npm test` installs nothing). Each step's time is reported.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
/** The toolchain of the scratch project's `npx modelship setup`, kept across runs in this checkout's ignored state. */
export const QUICK_START_HOME = path.join(ROOT, '.modelship', 'home');
/** Outside the repository, named after the checkout, kept across runs. */
const SCRATCH = path.join(os.tmpdir(), `modelship-quickstart-${createHash('sha256').update(ROOT).digest('hex').slice(0, 8)}`);
const SECTION = '## Use it in your project';

/** The commands of the quick start, as the README spells them (the check fails if the README does not). */
export const QUICK_START_COMMANDS = {
  init: 'npm init -y',
  install: 'ONNXRUNTIME_NODE_INSTALL=skip npm install modelship',
  testTools: 'npm install --save-dev jest @swc/jest @swc/core',
  setup: 'npx modelship setup',
  test: 'npx jest',
} as const;

/** The README section's files: each fenced block whose first line is `// <file name>`. */
export function quickStartFiles(readme: string): Map<string, string> {
  const start = readme.indexOf(SECTION);
  if (start < 0) throw new Error(`the README has no "${SECTION}" section`);
  const end = readme.indexOf('\n## ', start + SECTION.length);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const files = new Map<string, string>();
  for (const [, body] of section.matchAll(/```(?:ts|js)\n([\s\S]*?)```/g)) {
    const name = /^\/\/ ([\w.-]+)\n/.exec(body ?? '')?.[1];
    if (name) files.set(name, body ?? '');
  }
  for (const command of Object.values(QUICK_START_COMMANDS)) {
    if (!section.includes(command)) throw new Error(`the README's quick start does not say \`${command}\`: the check performs what it says`);
  }
  return files;
}

/** The environment of a user's shell: none of this repository's toolchain or npm-script settings. */
function userEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(npm_package_|npm_lifecycle_|MODELSHIP_|TEMPORAL_)/.test(key) && key !== 'INIT_CWD' && key !== 'NODE_OPTIONS',
    ),
  );
  return { ...env, FORCE_COLOR: '0', NO_COLOR: '1', MODELSHIP_HOME: QUICK_START_HOME };
}

function shell(command: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', command], { cwd: SCRATCH, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`\`${command}\` in ${SCRATCH} failed (${error.code ?? error.signal}):\n${`${stdout}${stderr}`.trim().slice(-6000)}`));
      else resolve(`${stdout}${stderr}`);
    });
  });
}

/** The repository's pinned version of a dev dependency (the scratch project installs the same, from npm's cache when it has it). */
async function devVersions(names: readonly string[]): Promise<string[]> {
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  return names.map((name) => `${name}@${pkg.devDependencies[name] ?? 'latest'}`);
}

/** Runs the quick start against `tarball`; `report` gets one line per step, with its time. */
export async function checkQuickStart(tarball: string, report: (line: string) => void): Promise<void> {
  const files = quickStartFiles(await readFile(path.join(ROOT, 'README.md'), 'utf8'));
  const env = userEnv();
  await mkdir(SCRATCH, { recursive: true });
  const timed = async (label: string, command: string, timeoutMs = 600_000): Promise<string> => {
    const started = Date.now();
    const output = await shell(command, env, timeoutMs);
    report(`${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return output;
  };
  if (!existsSync(path.join(SCRATCH, 'package.json'))) await timed(QUICK_START_COMMANDS.init, QUICK_START_COMMANDS.init);
  // `npm install modelship`, from this tarball: named by its content, so a changed package is installed over the last one.
  const digest = createHash('sha256')
    .update(await readFile(tarball))
    .digest('hex')
    .slice(0, 12);
  for (const old of (await readdir(SCRATCH)).filter((f) => f.endsWith('.tgz'))) await rm(path.join(SCRATCH, old));
  await copyFile(tarball, path.join(SCRATCH, `modelship-${digest}.tgz`));
  const npmInstall = 'npm install --prefer-offline --no-audit --no-fund --loglevel=error';
  await timed(QUICK_START_COMMANDS.install, `ONNXRUNTIME_NODE_INSTALL=skip ${npmInstall} ./modelship-${digest}.tgz`);
  const testTools = await devVersions(['jest', '@swc/jest', '@swc/core']);
  await timed(QUICK_START_COMMANDS.testTools, `${npmInstall} --save-dev ${testTools.join(' ')}`);
  const setup = await timed(QUICK_START_COMMANDS.setup, QUICK_START_COMMANDS.setup);
  report(`  ${setup.trim().split('\n').pop() ?? ''}`);

  // What an older README wrote (a test file it no longer has) must not run: only what npm installed stays.
  const kept = new Set(['node_modules', 'package.json', 'package-lock.json', `modelship-${digest}.tgz`]);
  for (const entry of await readdir(SCRATCH)) if (!kept.has(entry)) await rm(path.join(SCRATCH, entry), { recursive: true, force: true });
  for (const [name, body] of files) await writeFile(path.join(SCRATCH, name), body);
  await mkdir(path.join(SCRATCH, 'models'), { recursive: true });
  await copyFile(path.join(ROOT, 'examples', 'models', 'classifier.onnx'), path.join(SCRATCH, 'models', 'classifier.onnx'));
  const output = await timed(`${QUICK_START_COMMANDS.test} (${[...files.keys()].join(', ')})`, QUICK_START_COMMANDS.test);
  if (!/Tests:\s+\d+ passed, \d+ total/.test(output)) throw new Error(`\`npx jest\` did not report its tests passed:\n${output.slice(-3000)}`);
}
