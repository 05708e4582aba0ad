/** The model-source forms that name an artifact the endpoint already served, for the schemas entry (see `sdk/knownArtifactRef.ts`; `modelSourceLocation` validates them). */
export { DIGEST_SOURCE_PREFIX, knownArtifactRef, VERSION_SOURCE_PREFIX, type KnownArtifactRef } from '../knownArtifactRef';
