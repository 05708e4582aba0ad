/**
 * What a client can check about a spec's files before it starts a deployment: each local source
 * (model, profile samples, golden inputs, evaluation set) exists and is a regular file. Not a device,
 * FIFO, socket or directory, which no worker reads. `s3://` sources are checked by the worker, with
 * its credentials. Node-only.
 */
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { InvalidSpecError } from './errors';
import type { PipelineSpec } from './schemas';

/** Every source location a spec names, with its path in the spec. */
export function specSourceLocations(spec: PipelineSpec): { path: string; location: string }[] {
  const { golden } = spec.stages.convert;
  const { evaluation } = spec.stages.validate;
  return [
    { path: 'model.source', location: spec.model.source },
    ...(spec.model.profile?.samples ? [{ path: 'model.profile.samples', location: spec.model.profile.samples }] : []),
    ...(golden.source ? [{ path: 'stages.convert.golden.source', location: golden.source }] : []),
    ...(evaluation ? [{ path: 'stages.validate.evaluation.source', location: evaluation.source }] : []),
  ];
}

/**
 * Throws {@link InvalidSpecError} naming every local source of `spec` that is missing or not a
 * regular file (symlinks are followed: the worker reads what they point to).
 *
 * @example
 * const spec = await loadPipelineSpec('pipeline.yaml');
 * await checkSpecSources(spec, 'pipeline.yaml'); // before client.deploy(spec)
 */
export async function checkSpecSources(spec: PipelineSpec, specName: string): Promise<void> {
  const issues: { path: string; message: string }[] = [];
  for (const { path, location } of specSourceLocations(spec)) {
    const problem = await localFileProblem(location);
    if (problem) issues.push({ path, message: problem });
  }
  if (issues.length > 0) throw new InvalidSpecError(specName, issues);
}

/** Why `location` cannot be read as a source on this machine, or undefined (also for an `s3://` URI). */
async function localFileProblem(location: string): Promise<string | undefined> {
  if (location.startsWith('s3://')) return undefined;
  let file: string;
  try {
    file = location.startsWith('file://') ? fileURLToPath(location) : location;
  } catch (error) {
    return `${location} is not a usable file URI: ${(error as Error).message}`;
  }
  try {
    const stats = await stat(file);
    if (stats.isFile()) return undefined;
    return `${file} is ${stats.isDirectory() ? 'a directory' : 'not a regular file (a device, FIFO or socket)'}: give a model or data file`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `${file} does not exist` : `cannot read ${file}: ${code ?? String(error)}`;
  }
}
