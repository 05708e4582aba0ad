/**
 * Writing the versions an endpoint keeps, and its aliases, to `endpoints/<name>/versions.json`:
 * the endpoint workflow calls it when they change, so garbage collection (which keeps every digest
 * named under `endpoints/`) keeps the model of every version a rollback or a re-release may serve.
 */
import { keptVersionsDocument, type KeptVersionsDocument } from '../../sdk/schemas';
import { storeKeys, writeDocument, type ArtifactStore } from '../../store';

export type KeptVersionsInput = Omit<KeptVersionsDocument, 'updatedAt'>;

/** Writes the document (idempotent: the same versions write the same document, bar its time). */
export async function writeKeptVersions(store: ArtifactStore, input: KeptVersionsInput): Promise<void> {
  const document = keptVersionsDocument.parse({ ...input, updatedAt: new Date().toISOString() });
  await writeDocument(store, storeKeys.keptVersions(document.endpoint), document);
}
