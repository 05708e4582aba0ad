/**
 * Sources travel with the deployment: before a deployment starts, the client resolves the spec's
 * relative paths against a base folder, checks every local file, and uploads each one to the
 * artifact store, content-addressed (`sources/<sha256><ext>`, skipped when already there): hashed in
 * one streaming pass, then streamed to the store, never held in memory whole. The
 * workflow then sees only `store:` references and remote URIs, so a CI runner and the workers
 * share nothing but Temporal and the store. Nothing starts when a file is missing or over its cap.
 */
import { InvalidSpecError } from '../errors';
import { isLocalLocation, storeSourceLocation, type PipelineSpec } from '../schemas';
import { SOURCE_LIMIT_ENV, type SourceLimits } from '../sourceLimits';
import { checkSpecSources, localSourceFile, mapSpecSources, resolveModelSource, specSourceLocations } from '../specSources';
import { hashUploadableFile, SourceUploadRefusedError, type HashedFile } from '../uploadableFile';

export interface SourceUploadContext {
  /** The folder relative paths resolve against. */
  baseDir: string;
  /**
   * Writes a file's bytes to the store the workers read from, content-addressed, and returns its key;
   * called only when the spec names a local file (so the store is opened, and loaded, only then).
   */
  upload: (file: HashedFile) => Promise<string>;
  /** The caps on what is uploaded: the same variables the workers read. */
  limits: SourceLimits;
  /** The spec's name in errors. */
  specName: string;
}

/** `spec` with each local file uploaded and named by its `store:` reference; throws {@link InvalidSpecError} naming every file that cannot be. */
export async function uploadSpecSources(spec: PipelineSpec, context: SourceUploadContext): Promise<PipelineSpec> {
  const resolved = resolveModelSource(spec, context.baseDir);
  const local = specSourceLocations(resolved).filter(({ location }) => isLocalLocation(location));
  if (local.length === 0) return resolved;
  await checkSpecSources(resolved, context.specName);
  // Every file is hashed (and checked against its cap) in a streaming pass before any is written: a refusal uploads nothing.
  const contents = new Map<string, HashedFile>();
  const issues: { path: string; message: string }[] = [];
  for (const { path, location } of local) {
    if (contents.has(location)) continue;
    const limit =
      path === 'model.source' ? modelCap(resolved, context.limits) : { maxBytes: context.limits.maxDataBytes, capSetting: SOURCE_LIMIT_ENV.maxDataBytes };
    try {
      contents.set(location, await hashUploadableFile(localSourceFile(location), limit));
    } catch (error) {
      if (!(error instanceof SourceUploadRefusedError)) throw error;
      issues.push({ path, message: error.reason });
    }
  }
  if (issues.length > 0) throw new InvalidSpecError(context.specName, issues);
  const uploaded = new Map<string, string>();
  for (const [location, hashed] of contents) uploaded.set(location, storeSourceLocation(await context.upload(hashed)));
  return mapSpecSources(resolved, (location) => uploaded.get(location) ?? location);
}

/** The cap on the model file: the spec's `model.maxSourceBytes`, never above the ceiling. */
function modelCap(spec: PipelineSpec, limits: SourceLimits): { maxBytes: number; capSetting: string } {
  const requested = spec.model.maxSourceBytes;
  return requested !== undefined && requested < limits.maxModelBytes
    ? { maxBytes: requested, capSetting: 'model.maxSourceBytes' }
    : { maxBytes: limits.maxModelBytes, capSetting: SOURCE_LIMIT_ENV.maxModelBytes };
}
