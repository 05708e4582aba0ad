/**
 * The replicas an endpoint is placed on, as the control plane reads them for its checks (smoke
 * tests, verification, analysis windows): those its routing document's placement selects; all of
 * them when it has none (or no routing yet).
 */
import { routingDocument, type ReplicaStatus } from '../../sdk/schemas';
import { isPlacedHere } from '../../serving/placement';
import { readDocument, storeKeys, type ArtifactStore } from '../../store';

/** `replicas` left to those `endpoint` is placed on now. */
export async function placedReplicas(store: ArtifactStore, endpoint: string, replicas: ReplicaStatus[]): Promise<ReplicaStatus[]> {
  const routing = await readDocument(store, storeKeys.routing(endpoint), routingDocument);
  return routing?.placement ? replicas.filter((r) => isPlacedHere(routing, r)) : replicas;
}
