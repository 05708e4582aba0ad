/** The schema of a model source that names an artifact the endpoint already served (see `sdk/knownArtifactRef.ts`). Pure zod. */
import { z } from 'zod';
import { KNOWN_ARTIFACT_SOURCE } from '../knownArtifactRef';

export { DIGEST_SOURCE_PREFIX, knownArtifactRef, VERSION_SOURCE_PREFIX, type KnownArtifactRef } from '../knownArtifactRef';

/** `version:<version-or-alias>` or `digest:sha256:<hex>`: an artifact already validated for this endpoint. */
export const knownArtifactSource = z.string().regex(KNOWN_ARTIFACT_SOURCE, 'must be version:<version-or-alias> or digest:sha256:<64 hex digits>');
