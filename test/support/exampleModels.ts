/**
 * The example models an integration run uses (examples/models/make*Models.py): copied from
 * examples/models when scripts/setup.sh (which `npm test` runs first) built them from today's
 * scripts, built afresh otherwise. Building takes ~25 s (the framework models: PyTorch and
 * scikit-learn); copying them takes well under a second.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_ROOT, venvTool } from '../../cli/dev/projectPaths';

const EXAMPLE_MODELS = path.join(PACKAGE_ROOT, 'examples', 'models');
const SCRIPTS = ['makeModels.py', 'makeFrameworkModels.py'];
/** The files scripts/setup.sh stamps examples/models with, in its order. */
const STAMPED = ['examples/models/makeModels.py', 'examples/models/makeFrameworkModels.py', 'requirements.txt', 'toolchain/requirements.txt'];

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** setup.sh's `stamp`: `sha256sum` of the files (one `<hex>  <path>` line each), hashed again, its first 16 characters. */
export async function setupStamp(): Promise<string> {
  const lines = await Promise.all(STAMPED.map(async (file) => `${sha256(await readFile(path.join(PACKAGE_ROOT, file)))}  ${file}\n`));
  return sha256(lines.join('')).slice(0, 16);
}

/** True when examples/models holds what the scripts make today: setup.sh built them, and none of their inputs changed since. */
async function builtBySetup(): Promise<boolean> {
  const stampFile = path.join(EXAMPLE_MODELS, '.stamp');
  return existsSync(stampFile) && (await readFile(stampFile, 'utf8')).trim() === (await setupStamp());
}

/** Puts the example models (and their datasets) into `modelsDir`. */
export async function makeExampleModels(modelsDir: string): Promise<void> {
  if (await builtBySetup()) {
    await cp(EXAMPLE_MODELS, modelsDir, { recursive: true, filter: (source) => !source.includes('__pycache__') && !source.endsWith('.py') });
    return;
  }
  await Promise.all(SCRIPTS.map((script) => promisify(execFile)(venvTool('python'), [path.join(EXAMPLE_MODELS, script), modelsDir])));
}
