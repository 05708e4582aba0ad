/**
 * Bundles `workflows/` the way the worker does, so a forbidden import fails the build rather than
 * a worker at start-up; writes the bundle for workers and tests to reuse, and beside it the digest
 * of what it was built from (`workflowBundleInputs.ts`: the tests reuse it only while that matches).
 * Usage: npm run bundle:workflows [-- <output path>]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { inputsDigestPath, workflowBundleInputs } from './workflowBundleInputs';

export const DEFAULT_BUNDLE_PATH = path.resolve(__dirname, '..', '.modelship', 'build', 'workflow-bundle.js');

/** Bundles the workflows into `out`, with the digest of their inputs beside it; the bundle's size in bytes. */
export async function bundleWorkflows(out: string): Promise<number> {
  const inputs = await workflowBundleInputs(); // before bundling: a file changed meanwhile makes the record stale, not wrong
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, code);
  await writeFile(inputsDigestPath(out), `${inputs}\n`);
  return code.length;
}

async function main(): Promise<void> {
  const out = path.resolve(process.argv[2] ?? DEFAULT_BUNDLE_PATH);
  const size = await bundleWorkflows(out);
  console.log(`workflow bundle: ${path.relative(process.cwd(), out)} (${(size / 1024).toFixed(0)} KiB)`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
