/**
 * The files a spec names (model, profile samples, golden inputs, evaluation set, int8 calibration inputs): each one's
 * location with its path in the spec, a spec with every location replaced ({@link mapSpecSources}),
 * relative paths made absolute ({@link resolveModelSource}), and what a client checks before it
 * starts a deployment: each local source exists and is a regular file, not a device, FIFO, socket or
 * directory. `s3://` sources are checked by the worker, with its credentials. Node-only.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InvalidSpecError } from './errors';
import { isLocalLocation, type PipelineSpec } from './schemas';

/** Every source location a spec names, with its path in the spec. */
export function specSourceLocations(spec: PipelineSpec): { path: string; location: string }[] {
  const { golden } = spec.stages.convert;
  const { evaluation } = spec.stages.validate;
  // Specs recorded before the int8 settings existed have none.
  const calibration = spec.stages.optimize.int8?.calibration;
  return [
    { path: 'model.source', location: spec.model.source },
    ...(spec.model.profile?.samples ? [{ path: 'model.profile.samples', location: spec.model.profile.samples }] : []),
    ...(golden.source ? [{ path: 'stages.convert.golden.source', location: golden.source }] : []),
    ...(evaluation ? [{ path: 'stages.validate.evaluation.source', location: evaluation.source }] : []),
    ...(calibration?.source ? [{ path: 'stages.optimize.int8.calibration.source', location: calibration.source }] : []),
  ];
}

/** `spec` with each source location replaced by `replace(location)`. */
export function mapSpecSources(spec: PipelineSpec, replace: (location: string) => string): PipelineSpec {
  const { convert, validate, optimize } = spec.stages;
  const { profile } = spec.model;
  const calibration = optimize.int8?.calibration;
  return {
    ...spec,
    model: { ...spec.model, source: replace(spec.model.source), ...(profile?.samples ? { profile: { ...profile, samples: replace(profile.samples) } } : {}) },
    stages: {
      ...spec.stages,
      convert: { ...convert, golden: { ...convert.golden, ...(convert.golden.source ? { source: replace(convert.golden.source) } : {}) } },
      validate: { ...validate, ...(validate.evaluation ? { evaluation: { ...validate.evaluation, source: replace(validate.evaluation.source) } } : {}) },
      optimize: {
        ...optimize,
        ...(optimize.int8 && calibration?.source ? { int8: { ...optimize.int8, calibration: { ...calibration, source: replace(calibration.source) } } } : {}),
      },
    },
  };
}

/** Turns the spec's file paths into absolute `file://` URIs, relative ones against `baseDir`; URIs stay as they are. */
export function resolveModelSource(spec: PipelineSpec, baseDir: string): PipelineSpec {
  return mapSpecSources(spec, (location) => (isPlainPath(location) ? pathToFileURL(path.resolve(baseDir, location)).href : location));
}

/** The local file a path or `file://` location names (absolute when the location is). */
export function localSourceFile(location: string): string {
  return /^file:\/\//i.test(location) ? fileURLToPath(location) : location;
}

/**
 * Throws {@link InvalidSpecError} naming every local source of `spec` that is missing or not a
 * regular file (symlinks are followed: what they point to is what is read).
 *
 * @example
 * const spec = await loadPipelineSpec('pipeline.yaml');
 * await checkSpecSources(spec, 'pipeline.yaml'); // before client.deploy(spec)
 */
export async function checkSpecSources(spec: PipelineSpec, specName: string): Promise<void> {
  const issues: { path: string; message: string }[] = [];
  for (const { path: specPath, location } of specSourceLocations(spec)) {
    const problem = await localFileProblem(location);
    if (problem) issues.push({ path: specPath, message: problem });
  }
  if (issues.length > 0) throw new InvalidSpecError(specName, issues);
}

/** A path, relative or absolute (not a URI, not `store:`). */
function isPlainPath(location: string): boolean {
  return isLocalLocation(location) && !/^file:\/\//i.test(location);
}

/** Why `location` cannot be read as a source on this machine, or undefined (also for an `s3://` or `store:` location). */
async function localFileProblem(location: string): Promise<string | undefined> {
  if (!isLocalLocation(location)) return undefined;
  let file: string;
  try {
    file = localSourceFile(location);
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
