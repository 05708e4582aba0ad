/**
 * Where a model or data file of a spec is read from: a local path or `file://` URI (the client
 * uploads it before the deployment starts), an `s3://bucket/key` URI (the worker reads it), a
 * `store:sources/<sha256><ext>` reference to a file already uploaded into the artifact store,
 * content-addressed, which is what a workflow sees for a file the client uploaded, or (for a model
 * only: {@link modelSourceLocation}) an MLflow Model Registry version, `models:/<name>/<version>` or
 * `models:/<name>@<alias>`, refused in data fields when the spec is parsed. Pure zod.
 */
import { z } from 'zod';
import { DIGEST_SOURCE_PREFIX, knownArtifactRef, VERSION_SOURCE_PREFIX } from './knownArtifact';
import { isRegistrySource, registryReference, REGISTRY_SOURCE_FORMS } from './registrySource';

/** URI schemes a source may use; anything else with `scheme://` is refused when the spec is parsed. */
const SOURCE_SCHEMES = ['file', 's3'];

/** The prefix of a reference to an uploaded source: `store:` followed by its store key. */
export const STORE_SOURCE_PREFIX = 'store:';

/** The store key of an uploaded source: `sources/<sha256>` and the file's extension, if any (lowercase letters and digits). */
const UPLOADED_SOURCE_KEY = /^sources\/([0-9a-f]{64})(\.[a-z0-9]{1,16})?$/;

/**
 * Where a file is read from, and whether it is a model's source (which may also be an MLflow
 * registry version, or a version or digest the endpoint already served), not a data file. One
 * refinement, not a union, so that each refusal keeps its own message.
 */
function location(modelSource: boolean) {
  return z
    .string()
    .min(1)
    .superRefine((location, context) => {
      if (location.startsWith(STORE_SOURCE_PREFIX)) {
        if (!uploadedSourceKey(location))
          context.addIssue({ code: 'custom', message: 'a store: source is store:sources/<sha256><ext>, as the client uploads it' });
        return;
      }
      if (modelSource && (location.startsWith(VERSION_SOURCE_PREFIX) || location.startsWith(DIGEST_SOURCE_PREFIX))) {
        if (!knownArtifactRef(location)) context.addIssue({ code: 'custom', message: 'must be version:<version-or-alias> or digest:sha256:<64 hex digits>' });
        return;
      }
      if (isRegistrySource(location)) {
        if (!modelSource)
          context.addIssue({
            code: 'custom',
            message: 'a registry source (models:/…) names a model, not a data file: use a path, a file:// URI or an s3://bucket/key URI',
          });
        else if (!registryReference(location)) context.addIssue({ code: 'custom', message: `a registry source is ${REGISTRY_SOURCE_FORMS}` });
        return;
      }
      const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(location)?.[1];
      if (scheme !== undefined && !SOURCE_SCHEMES.includes(scheme))
        context.addIssue({ code: 'custom', message: 'unsupported location: use a path, a file:// URI or an s3://bucket/key URI' });
    });
}

/** A path, a `file://`/`s3://` URI or `store:sources/<sha256><ext>`: where a data file (evaluation set, golden inputs, samples) is read from. */
export const sourceLocation = location(false);

/** A {@link sourceLocation}, an MLflow registry source `models:/…`, or `version:…`/`digest:sha256:…` (a re-release): where a model is read from. */
export const modelSourceLocation = location(true);

/** The `store:` reference to an uploaded source's key. */
export function storeSourceLocation(key: string): string {
  return `${STORE_SOURCE_PREFIX}${key}`;
}

/** The store key and digest a `store:` location names, or undefined for any other location. */
export function uploadedSourceKey(location: string): { key: string; digest: string } | undefined {
  if (!location.startsWith(STORE_SOURCE_PREFIX)) return undefined;
  const key = location.slice(STORE_SOURCE_PREFIX.length);
  const digest = UPLOADED_SOURCE_KEY.exec(key)?.[1];
  return digest ? { key, digest } : undefined;
}

/** Whether a location names a file on the machine that reads the spec: a path or a `file://` URI (not `s3://`, `store:`, `models:/`, `version:` or `digest:`). */
export function isLocalLocation(location: string): boolean {
  if (/^file:\/\//i.test(location)) return true;
  return !location.startsWith(STORE_SOURCE_PREFIX) && !isRegistrySource(location) && !knownArtifactRef(location) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(location);
}
