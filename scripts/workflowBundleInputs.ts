/**
 * What the workflow bundle is built from, as one digest: every file under `workflows/` and `sdk/`
 * (the only folders of this repository that workflow code may import, enforced by lint), the
 * lockfile (the bundled packages: @temporalio/workflow, zod) and the bundling script.
 * `npm run bundle:workflows` records it beside the bundle it writes; the integration tests reuse
 * that bundle while the digest still matches, instead of bundling again.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const FOLDERS = ['workflows', 'sdk'];
const FILES = ['package-lock.json', 'scripts/bundleWorkflows.ts', 'scripts/workflowBundleInputs.ts'];

/** Where the digest of a bundle's inputs is recorded: beside it. */
export function inputsDigestPath(bundlePath: string): string {
  return `${bundlePath}.inputs.sha256`;
}

/** The digest of every input of the bundle: the names and contents of the files named above (`root`: this repository). */
export async function workflowBundleInputs(root = ROOT): Promise<string> {
  const listed = await Promise.all(
    FOLDERS.map(async (folder) => (await readdir(path.join(root, folder), { recursive: true, withFileTypes: true })).filter((e) => e.isFile())),
  );
  const sources = listed.flat().map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
  const hash = createHash('sha256');
  for (const file of [...sources, ...FILES].sort()) {
    const full = path.join(root, file);
    hash
      .update(`${file}\0`)
      .update(existsSync(full) ? await readFile(full) : '')
      .update('\0');
  }
  return hash.digest('hex');
}

/** True when `bundlePath` was written by `npm run bundle:workflows` from the inputs as they are now. */
export async function bundleCurrent(bundlePath: string, root = ROOT): Promise<boolean> {
  const recorded = inputsDigestPath(bundlePath);
  if (!existsSync(bundlePath) || !existsSync(recorded)) return false;
  return (await readFile(recorded, 'utf8')).trim() === (await workflowBundleInputs(root));
}
