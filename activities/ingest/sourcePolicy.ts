/**
 * Where a worker may read sources from (model, golden inputs, profile samples, evaluation set) and
 * how large they may be: allowed folders (`MODELSHIP_SOURCE_ROOTS`), allowed S3 buckets
 * (`MODELSHIP_SOURCE_BUCKETS`, plus the store's own) and size ceilings (`MODELSHIP_MAX_SOURCE_BYTES`
 * for models, `MODELSHIP_MAX_DATA_BYTES` for data files). The checks are pure: they take paths
 * already resolved (symlinks followed) by the reader.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { sourceLimitsFromEnv, SOURCE_LIMIT_ENV, type SourceLimits } from '../../sdk/sourceLimits';

export interface SourcePolicy extends SourceLimits {
  /** Folders (absolute, symlinks resolved) a `file://` source must lie in. */
  readonly roots: readonly string[];
  /** Buckets an `s3://` source may come from. */
  readonly buckets: readonly string[];
}

/** The variables that configure the policy, named in every refusal so the operator knows what to set. */
export const SOURCE_ENV = {
  roots: 'MODELSHIP_SOURCE_ROOTS',
  buckets: 'MODELSHIP_SOURCE_BUCKETS',
  ...SOURCE_LIMIT_ENV,
} as const;

/**
 * The policy a worker reads from its environment. Roots: `MODELSHIP_SOURCE_ROOTS` (colon-separated),
 * else the folder the worker runs in and the folder it was started from (`PWD`: the project folder
 * under `modelship dev`), never the filesystem root. Buckets: `MODELSHIP_SOURCE_BUCKETS`
 * (comma- or colon-separated) plus the store's bucket when the store is on S3.
 */
export function sourcePolicyFromEnv(env: NodeJS.ProcessEnv, options: { cwd?: string; storeUri?: string } = {}): SourcePolicy {
  const cwd = options.cwd ?? process.cwd();
  const configured = splitList(env[SOURCE_ENV.roots], /:/);
  const roots = (configured.length > 0 ? configured : [cwd, env.PWD ?? '']).filter((root) => root !== '' && path.isAbsolute(root));
  const storeBucket = options.storeUri?.startsWith('s3://') ? options.storeUri.slice('s3://'.length).split('/')[0] : undefined;
  return {
    roots: unique(roots.map(realRoot)).filter((root) => root !== path.parse(root).root || configured.length > 0),
    buckets: unique([...splitList(env[SOURCE_ENV.buckets], /[,:]/), ...(storeBucket ? [storeBucket] : [])]),
    ...sourceLimitsFromEnv(env),
  };
}

/** One line for a worker's start-up log: where it reads sources from. */
export function describeSourcePolicy(policy: SourcePolicy): string {
  const buckets = policy.buckets.length > 0 ? `, s3 buckets ${policy.buckets.join(', ')}` : '';
  return `sources from ${policy.roots.join(', ') || 'no folder'}${buckets} (set ${SOURCE_ENV.roots} to change), at most ${policy.maxModelBytes} bytes per model`;
}

/** Whether `realFile` (absolute, symlinks resolved) lies inside one of `roots`. */
export function isWithinRoots(realFile: string, roots: readonly string[]): boolean {
  return roots.some((root) => {
    const relative = path.relative(root, realFile);
    return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
  });
}

/** Why a file outside the roots is refused, and what to set to allow it. */
export function outsideRootsMessage(what: string, source: string, realFile: string, roots: readonly string[]): string {
  const resolved = realFile === source || `file://${realFile}` === source ? '' : ` (resolves to ${realFile})`;
  const allowed = roots.length > 0 ? roots.join(', ') : 'none';
  return (
    `${what} ${source}${resolved} is outside the folders this worker reads sources from (${allowed}): ` +
    `move it under one of them, or add its folder to ${SOURCE_ENV.roots} (colon-separated) on the worker`
  );
}

/** Why an S3 source in another bucket is refused. */
export function bucketRefusedMessage(what: string, source: string, bucket: string, buckets: readonly string[]): string {
  return (
    `${what} ${source} is in bucket ${bucket}, which this worker does not read sources from (allowed: ${buckets.length > 0 ? buckets.join(', ') : 'none'}): ` +
    `add it to ${SOURCE_ENV.buckets} on the worker`
  );
}

/** The cap on one read: the spec's own limit, never above the worker's ceiling. */
export function effectiveCap(ceiling: number, requested: number | undefined): number {
  return requested === undefined ? ceiling : Math.min(ceiling, requested);
}

function realRoot(root: string): string {
  const absolute = path.resolve(root);
  try {
    return realpathSync(absolute);
  } catch {
    return absolute;
  }
}

function splitList(value: string | undefined, separator: RegExp): string[] {
  return (value ?? '')
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
