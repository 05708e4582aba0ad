/** The version that takes most of an endpoint's traffic now (its stable version), from the routing document. */
import { routingDocument, type RoutedVersion } from '../../sdk/schemas';
import { readDocument, storeKeys, type ArtifactStore } from '../../store';

export async function stableVersion(store: ArtifactStore, endpoint: string): Promise<RoutedVersion | undefined> {
  const routing = await readDocument(store, storeKeys.routing(endpoint), routingDocument);
  return routing && [...routing.versions].sort((a, b) => b.weight - a.weight)[0];
}
