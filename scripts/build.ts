/**
 * Builds the package for consumers: `tsc -p tsconfig.build.json` into `dist/` (CommonJS,
 * declarations, source maps), then copies the files compiled code reads at run time (the Python
 * tools under `activities/`, the KServe v2 gRPC .proto under `protocol/`) beside it, and puts the
 * spec fields' doc comments back into the declaration of the spec type (`specDeclarationDocs.ts`).
 * The repository itself runs from the TypeScript sources (shipped too: the source maps point at them).
 *
 * The compile is incremental (its state in `.modelship/build/`); outputs whose source is gone are
 * removed, and a missing `dist/` forces a full build.
 * Usage: npm run build
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { PIPELINE_SPEC_DESCRIPTIONS } from '../sdk/schemas/pipelineSpecDescriptions';
import { documentSpecDeclaration } from './specDeclarationDocs';

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const BUILD_INFO = path.join(ROOT, '.modelship', 'build', 'tsconfig.build.tsbuildinfo');
/** Folders whose run-time files other than TypeScript are copied into `dist/` (same relative paths). */
const ASSET_FOLDERS = ['activities', 'protocol'];
const ASSET_PATTERN = /\.(py|proto)$/;
const OUTPUT_PATTERN = /(\.d\.ts|\.js\.map|\.js)$/;

async function filesUnder(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

async function assets(): Promise<string[]> {
  const files = (await Promise.all(ASSET_FOLDERS.map((folder) => filesUnder(path.join(ROOT, folder))))).flat();
  return files.map((file) => path.relative(ROOT, file)).filter((file) => ASSET_PATTERN.test(file) && !file.split(path.sep).includes('__pycache__'));
}

/** Removes outputs of sources that no longer exist (a renamed or deleted module). */
async function pruneStaleOutputs(keep: ReadonlySet<string>): Promise<string[]> {
  const stale: string[] = [];
  for (const file of await filesUnder(DIST)) {
    const relative = path.relative(DIST, file);
    const source = OUTPUT_PATTERN.test(relative) ? relative.replace(OUTPUT_PATTERN, '.ts') : relative;
    if (keep.has(relative) || existsSync(path.join(ROOT, source))) continue;
    await rm(file);
    stale.push(relative);
  }
  return stale;
}

async function main(): Promise<void> {
  const started = Date.now();
  if (!existsSync(DIST)) await rm(BUILD_INFO, { force: true });
  const tsc = require.resolve('typescript/bin/tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`tsc -p tsconfig.build.json failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
  const specDeclaration = path.join(DIST, 'sdk', 'schemas', 'pipelineSpec.d.ts');
  const declared = await readFile(specDeclaration, 'utf8');
  const documented = documentSpecDeclaration(declared, PIPELINE_SPEC_DESCRIPTIONS);
  if (documented !== declared) await writeFile(specDeclaration, documented);
  const copied = await assets();
  await Promise.all(copied.map((file) => cp(path.join(ROOT, file), path.join(DIST, file))));
  const pruned = await pruneStaleOutputs(new Set(copied));
  console.log(
    `built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s: copied ${copied.join(', ')}` +
      (pruned.length > 0 ? `; removed stale ${pruned.join(', ')}` : ''),
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
