/**
 * `.npz` files as tensors and back, through the Python tool (which knows the format): sample sets
 * the CLI reads (`traffic --inputs`) and writes (`capture --out`).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { runPythonTool } from '../activities/python/pythonTool';
import { decodeBundle, encodeBundleRuns, tensorBundle } from '../runtime/tensorBundle';
import type { TensorMap } from '../runtime';

const TIMEOUT_MS = 60_000;

/** The arrays of an `.npz` file, one tensor per name. */
export async function readNpz(file: string): Promise<TensorMap> {
  return withTempDir(async (dir) => {
    const output = path.join(dir, 'samples.json');
    await runPythonTool('bundle', { path: path.resolve(file), output }, z.object({}).passthrough(), { timeoutMs: TIMEOUT_MS });
    return decodeBundle(tensorBundle.parse(JSON.parse(await readFile(output, 'utf8'))));
  });
}

/** Writes `tensors` as an `.npz` file, one array per name (replacing `file` atomically). */
export async function writeNpz(file: string, tensors: TensorMap): Promise<void> {
  await withTempDir(async (dir) => {
    const bundle = path.join(dir, 'samples.json');
    await writeFile(bundle, JSON.stringify(encodeBundleRuns([tensors])));
    await runPythonTool('npz', { bundle, output: path.resolve(file) }, z.object({}).passthrough(), { timeoutMs: TIMEOUT_MS });
  });
}

async function withTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modelship-npz-'));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
