/**
 * Builds the package for consumers: `tsc -p tsconfig.build.json` into `dist/` (CommonJS,
 * declarations, source maps), then copies the files compiled code reads at run time (the Python
 * tools under `activities/`, the KServe v2 gRPC .proto under `protocol/`) beside it, and puts the
 * spec fields' doc comments back into the declaration of the spec type (`specDeclarationDocs.ts`).
 * The repository itself runs from the TypeScript sources (shipped too: the source maps point at them).
 *
 * The compile is incremental (its state in `.modelship/build/`); outputs whose source is gone are
 * removed, and a missing `dist/` forces a full build. When no input changed since the last build
 * (the same digest of the included folders, the tsconfigs, the lockfile and this script), nothing
 * runs: even a no-op incremental compile parses the whole program (~10-20 s), and `npm test` builds
 * twice (check:package, then the custom-activity example test).
 * Usage: npm run build
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { PIPELINE_SPEC_DESCRIPTIONS } from '../sdk/schemas/pipelineSpecDescriptions';
import { documentSpecDeclaration } from './specDeclarationDocs';

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const BUILD_INFO = path.join(ROOT, '.modelship', 'build', 'tsconfig.build.tsbuildinfo');
/** The digest of the inputs `dist/` was last built from. */
const BUILT_FROM = path.join(ROOT, '.modelship', 'build', 'inputs.sha256');
/** Folders compiled into `dist/`: tsconfig.build.json's `include`, read from it so the two cannot drift apart. */
const SOURCE_FOLDERS: string[] = ts.readConfigFile(path.join(ROOT, 'tsconfig.build.json'), ts.sys.readFile).config.include;
/** Files outside them that change the output. */
const BUILD_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json', 'scripts/build.ts', 'scripts/specDeclarationDocs.ts'];
/** Folders whose run-time files other than TypeScript are copied into `dist/` (same relative paths). */
const ASSET_FOLDERS = ['activities', 'protocol'];
const ASSET_PATTERN = /\.(py|proto)$/;
const OUTPUT_PATTERN = /(\.d\.ts\.map|\.d\.ts|\.js\.map|\.js)$/;

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

/** Digest of every input of the build: names and contents of the source folders' files and {@link BUILD_FILES}. */
async function inputsDigest(): Promise<string> {
  const sources = (await Promise.all(SOURCE_FOLDERS.map((folder) => filesUnder(path.join(ROOT, folder))))).flat();
  const files = [...sources.map((file) => path.relative(ROOT, file)), ...BUILD_FILES].filter((file) => !file.split(path.sep).includes('__pycache__')).sort();
  const hash = createHash('sha256');
  for (const file of files)
    hash
      .update(`${file}\0`)
      .update(existsSync(path.join(ROOT, file)) ? await readFile(path.join(ROOT, file)) : '')
      .update('\0');
  return hash.digest('hex');
}

async function main(): Promise<void> {
  const started = Date.now();
  const digest = await inputsDigest();
  if (existsSync(DIST) && existsSync(BUILT_FROM) && (await readFile(BUILT_FROM, 'utf8')) === digest) {
    console.log('dist/ is current: no input changed since the last build');
    return;
  }
  await rm(BUILT_FROM, { force: true });
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
  await mkdir(path.dirname(BUILT_FROM), { recursive: true });
  await writeFile(BUILT_FROM, digest);
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
