/** Reading gateway replicas' heartbeats from the store: who is alive, and what each has applied. */
import { replicaStatus, type ReplicaStatus } from '../../sdk/schemas';
import { readDocument, storeKeys, type ArtifactStore } from '../../store';

/** A replica is live while its last heartbeat is younger than this many heartbeat intervals. */
export const LIVENESS_INTERVALS = 3;

export function isLive(replica: ReplicaStatus, now: number): boolean {
  return now - Date.parse(replica.heartbeatAt) <= LIVENESS_INTERVALS * replica.heartbeatIntervalMs;
}

/** Every registered replica whose heartbeat is current. Unreadable documents are skipped. */
export async function liveReplicas(store: ArtifactStore, now = Date.now()): Promise<ReplicaStatus[]> {
  return (await registeredReplicas(store, now)).live;
}

/**
 * Every registered replica, live or stale: a stale one stopped heartbeating (killed, crashed, cut
 * off) without deregistering, and stays in the store until a replica with its id starts again.
 */
export async function registeredReplicas(store: ArtifactStore, now = Date.now()): Promise<{ live: ReplicaStatus[]; stale: ReplicaStatus[] }> {
  const keys = await store.list(storeKeys.replicasPrefix);
  const replicas = (await Promise.all(keys.map((key) => readDocument(store, key, replicaStatus).catch(() => undefined)))).filter(
    (r): r is ReplicaStatus => r !== undefined,
  );
  return { live: replicas.filter((r) => isLive(r, now)), stale: replicas.filter((r) => !isLive(r, now)) };
}
