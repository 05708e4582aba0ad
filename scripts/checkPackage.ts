/**
 * Checks the built package the way a consumer gets it (run after `npm run build`; `npm run
 * check:package` does both):
 *  1. packs it (`npm pack`), as `npm publish` would;
 *  2. publint --strict on the tarball: package.json, `exports`, `files`;
 *  3. attw (are the types wrong) on the tarball: every entry's types resolve under node16, from CJS and ESM;
 *  4. installs the tarball into a scratch project under `.modelship/package-check/` and, from there,
 *     requires every subpath, finds the Python tool beside the compiled activities, and bundles
 *     `modelship/workflows` with @temporalio/worker as a worker does (a forbidden import fails here);
 *  5. performs the README's quick start from the tarball in a scratch project of its own, down to its
 *     stock-jest test deploying a model with `modelship/testing` (`quickStartCheck.ts`).
 *  6. `npm publish --dry-run --offline` (a dry run publishes nothing; offline, it asks the registry nothing either);
 *  7. hovering a spec field in a consumer's code shows its doc (TypeScript's language service over the package's .d.ts).
 * Usage: npm run check:package
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import type * as TemporalWorker from '@temporalio/worker';
import type * as GrpcMessages from '../protocol/grpcMessages';
import { checkQuickStart } from './quickStartCheck';
import { fieldDocOnHover } from './packageHover';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');
const SCRATCH = path.join(ROOT, '.modelship', 'package-check');
const BIN = path.join(ROOT, 'node_modules', '.bin');

/** Each subpath, and names it must export (a smoke test that the entry is the intended module). */
const ENTRY_EXPORTS: Readonly<Record<string, readonly string[]>> = {
  modelship: [
    'ModelshipClient',
    'definePipeline',
    'loadPipelineSpec',
    'pipelineSpec',
    'WORKFLOW_TASK_QUEUE',
    'ModelshipError',
    'DeploymentRefusedError',
    'EndpointHandle',
  ],
  'modelship/client': [
    'ModelshipClient',
    'DeploymentHandle',
    'resolveConnection',
    'loadPipelineSpec',
    'InvalidSpecError',
    'ModelshipError',
    'ClientClosedError',
  ],
  'modelship/workflows': ['deployModel', 'endpoint', 'runDeployment', 'convertStage', 'customStage', 'releaseStage'],
  'modelship/activities': ['createActivities', 'createModelActivities'],
  'modelship/schemas': ['pipelineSpec', 'parseOrThrow', 'pipelineSpecJsonSchema', 'FAILURE_TYPES', 'SEARCH_ATTRIBUTES'],
  'modelship/worker': ['runCpuWorker', 'workerSettingsFromEnv', 'workflowSource', 'openStore', 'OnnxRuntime'],
  'modelship/testing': ['ModelshipTestEnvironment', 'startDevEnvironment', 'freePort', 'startTraffic', 'PortInUseError'],
};

/** Runs a named check; its report lines are printed together when it ends (checks run concurrently). */
async function step(name: string, body: (report: (line: string) => void) => Promise<void>): Promise<void> {
  const started = Date.now();
  const lines: string[] = [];
  try {
    await body((line) => lines.push(`    ${line}`));
  } catch (error) {
    throw new Error(`✗ ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
  console.log([`  ✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`, ...lines].join('\n'));
}

async function tool(command: string, args: string[], label: string): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, FORCE_COLOR: undefined, NO_COLOR: '1' },
    });
    return `${stdout}${stderr}`;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${label} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

async function main(): Promise<void> {
  if (!existsSync(path.join(ROOT, 'dist'))) throw new Error('no dist/: run `npm run build` first (or `npm run check:package`)');
  await rm(SCRATCH, { recursive: true, force: true });
  await mkdir(path.join(SCRATCH, 'node_modules'), { recursive: true });
  // Its own package scope, so `modelship` is not resolved as this repository referring to itself.
  await writeFile(path.join(SCRATCH, 'package.json'), `${JSON.stringify({ name: 'modelship-package-check', private: true })}\n`);

  let tarball = '';
  await step('npm pack', async (report) => {
    const out = await tool('npm', ['pack', '--json', '--pack-destination', SCRATCH, '--loglevel=error'], 'npm pack');
    const [packed] = JSON.parse(out.slice(out.indexOf('['))) as { filename: string; entryCount: number; size: number }[];
    if (!packed) throw new Error(`npm pack printed no package:\n${out}`);
    report(`${packed.filename}: ${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} KiB`);
    tarball = path.join(SCRATCH, packed.filename);
  });
  const installed = path.join(SCRATCH, 'node_modules', 'modelship');
  await run('tar', ['-xzf', tarball, '-C', path.join(SCRATCH, 'node_modules')]);
  await rename(path.join(SCRATCH, 'node_modules', 'package'), installed);
  // Resolved from the scratch project: `modelship` is the unpacked tarball, its dependencies this repository's.
  const consumer = createRequire(path.join(SCRATCH, 'consumer.js'));

  await Promise.all([
    step('the README quick start in a scratch project, from the tarball, with stock jest', (report) => checkQuickStart(tarball, report)),
    step('publint --strict', async (report) => {
      const out = await tool(path.join(BIN, 'publint'), ['run', tarball, '--strict'], 'publint');
      for (const line of out.split('\n')) if (line.trim() && !/^(Running publint|Linting|Packing|Unpacking)/.test(line)) report(line);
    }),
    step('npm publish --dry-run (offline)', async (report) => {
      const out = await tool('npm', ['publish', '--dry-run', '--offline', '--loglevel=error'], 'npm publish --dry-run');
      report(out.split('\n').find((line) => line.startsWith('+ ')) ?? 'published (dry run)');
    }),
    step('spec field docs on hover, from the installed package', async (report) => {
      report(await fieldDocOnHover(SCRATCH));
    }),
    step('attw --profile node16', async () => {
      // Subpath exports need node16/bundler resolution; node10 (TypeScript's old `node`) is out of scope.
      await tool(path.join(BIN, 'attw'), [tarball, '--profile', 'node16', '--format', 'table-flipped', '--no-emoji', '--no-color'], 'attw');
    }),
    step('the installed package: bin, Python tool, gRPC proto, `modelship schema` from dist', async () => {
      const pkg = JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
      for (const bin of Object.values(pkg.bin ?? {})) {
        if (!existsSync(path.join(installed, bin))) throw new Error(`bin ${bin} is not in the package`);
      }
      const pythonTool = path.join(installed, 'dist', 'activities', 'python', 'modelTools.py');
      if (!existsSync(pythonTool)) throw new Error(`the Python tool is not in the package: ${path.relative(SCRATCH, pythonTool)}`);
      // The gateway's gRPC service is read from the .proto beside the compiled protocol code.
      const grpcMessages = consumer(path.join(installed, 'dist', 'protocol', 'grpcMessages.js')) as typeof GrpcMessages;
      if (!grpcMessages.PROTO_PATH.startsWith(installed + path.sep)) throw new Error(`the gRPC proto resolved outside the package: ${grpcMessages.PROTO_PATH}`);
      const definition = grpcMessages.loadInferenceProto();
      if (!definition[grpcMessages.SERVICE_NAME]) throw new Error(`the packaged gRPC proto does not define ${grpcMessages.SERVICE_NAME}`);
      await tool(path.join(installed, 'bin', 'modelship'), ['schema', '--out', path.join(SCRATCH, 'schema.json')], 'modelship schema (installed)');
      const [printed, checkedIn] = await Promise.all([
        readFile(path.join(SCRATCH, 'schema.json'), 'utf8'),
        readFile(path.join(ROOT, 'examples', 'pipeline.schema.json'), 'utf8'),
      ]);
      if (printed !== checkedIn) throw new Error('the built `modelship schema` differs from examples/pipeline.schema.json: run `npm run docs:spec`');
    }),
    (async () => {
      await step('require every entry from a consumer project', async () => {
        for (const [entry, names] of Object.entries(ENTRY_EXPORTS)) {
          const resolved = consumer.resolve(entry);
          if (!resolved.startsWith(installed + path.sep)) throw new Error(`${entry} resolved outside the installed package: ${resolved}`);
          const loaded = consumer(entry) as Record<string, unknown>;
          const missing = names.filter((name) => loaded[name] === undefined);
          if (missing.length > 0) throw new Error(`${entry} does not export ${missing.join(', ')}`);
        }
      });
      await step('bundle modelship/workflows and modelship/schemas as workflow code (bundleWorkflowCode)', async (report) => {
        // A user's workflows file: Modelship's workflows, plus the schemas, which workflow code may use too.
        const workflowsPath = path.join(SCRATCH, 'workflows.js');
        await writeFile(
          workflowsPath,
          "require('modelship/schemas');\nconst { deployModel, endpoint } = require('modelship/workflows');\nmodule.exports = { deployModel, endpoint };\n",
        );
        const { bundleWorkflowCode } = consumer('@temporalio/worker') as typeof TemporalWorker;
        const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error };
        const { code } = await bundleWorkflowCode({ workflowsPath, logger: quiet });
        report(`${(code.length / 1024).toFixed(0)} KiB`);
      });
    })(),
  ]);
}

if (require.main === module) {
  const started = Date.now();
  console.log('checking the package:');
  main().then(
    () => console.log(`package ok (${((Date.now() - started) / 1000).toFixed(1)} s)`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
