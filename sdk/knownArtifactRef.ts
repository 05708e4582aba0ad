/**
 * Model sources that name an artifact the endpoint already served: `version:<version-or-alias>`
 * and `digest:sha256:<hex>`. A deployment from one re-releases that artifact without the model
 * stages (the endpoint resolves it; see `workflows/stages/reReleaseStage.ts`). Workflow-safe (no imports).
 */

/** `version:` followed by a version name or an alias of the endpoint. */
export const VERSION_SOURCE_PREFIX = 'version:';
/** `digest:sha256:` followed by the artifact's hex digest. */
export const DIGEST_SOURCE_PREFIX = 'digest:sha256:';

/** Either form, in full. */
export const KNOWN_ARTIFACT_SOURCE = /^(version:[A-Za-z0-9][A-Za-z0-9._-]{0,63}|digest:sha256:[0-9a-f]{64})$/;

/** What a known-artifact source names: a version (or alias) of the endpoint, or a digest. */
export type KnownArtifactRef = { kind: 'version'; ref: string } | { kind: 'digest'; digest: string };

/** What `source` names, or undefined for any other source. */
export function knownArtifactRef(source: string): KnownArtifactRef | undefined {
  if (!KNOWN_ARTIFACT_SOURCE.test(source)) return undefined;
  if (source.startsWith(VERSION_SOURCE_PREFIX)) return { kind: 'version', ref: source.slice(VERSION_SOURCE_PREFIX.length) };
  return { kind: 'digest', digest: source.slice(DIGEST_SOURCE_PREFIX.length) };
}
