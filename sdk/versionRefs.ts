/**
 * Naming an endpoint's versions: a version name, an alias (`champion`), or an artifact digest,
 * resolved against the versions the endpoint recorded. Pure and workflow-safe: the endpoint
 * workflow resolves with it, and clients word the same answers.
 */
import type { KnownArtifactRef } from './knownArtifactRef';
import type { EndpointState, VersionRecord } from './schemas';
import { shortDigest } from './shortDigest';

/** The version a reference names, or why none. */
export type Resolved = { record: VersionRecord; via?: string } | { refused: string };

/** Resolves a version name or an alias of the endpoint (a version name wins over an alias of the same spelling). */
export function resolveVersionRef(state: Pick<EndpointState, 'endpoint' | 'versions' | 'aliases'>, ref: string): Resolved {
  const versions = state.versions ?? [];
  const direct = versions.find((v) => v.version === ref);
  if (direct) return { record: direct };
  const aliased = state.aliases?.[ref];
  if (aliased !== undefined) {
    const record = versions.find((v) => v.version === aliased);
    return record ? { record, via: `alias ${ref}` } : { refused: `alias ${ref} names ${aliased}, which endpoint ${state.endpoint} no longer keeps` };
  }
  return { refused: `endpoint ${state.endpoint} has no version or alias ${ref}${known(state)}` };
}

/** Resolves what a `version:` or `digest:` source names: the latest version recorded with that artifact. */
export function resolveKnownArtifact(state: Pick<EndpointState, 'endpoint' | 'versions' | 'aliases'>, ref: KnownArtifactRef): Resolved {
  if (ref.kind === 'version') return resolveVersionRef(state, ref.ref);
  const record = [...(state.versions ?? [])].reverse().find((v) => v.digest === ref.digest);
  return record
    ? { record, via: `digest ${shortDigest(ref.digest)}` }
    : {
        refused: `no version of endpoint ${state.endpoint} has artifact sha256:${shortDigest(ref.digest)} (only a version validated for this endpoint can be re-released)${known(state)}`,
      };
}

/** The aliases that name `version`, sorted. */
export function aliasesOf(state: Pick<EndpointState, 'aliases'>, version: string): string[] {
  return Object.entries(state.aliases ?? {})
    .filter(([, v]) => v === version)
    .map(([alias]) => alias)
    .sort();
}

function known(state: Pick<EndpointState, 'versions' | 'aliases'>): string {
  const names = [...(state.versions ?? []).map((v) => v.version), ...Object.keys(state.aliases ?? {})];
  return names.length > 0 ? `; it knows ${names.join(', ')}` : '; it has recorded no versions yet';
}
