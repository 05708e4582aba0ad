/**
 * Reading gateway replicas' heartbeats from the store: who is alive, who stopped heartbeating
 * (stale), and what each has applied. Heartbeats older than the TTL are forgotten and deleted.
 * Replicas beat slowly at rest (30 s by default), so a replica that died a moment ago still looks
 * live: `answers` asks it directly, for a step that would otherwise wait for it past its timeout.
 */
import { parseDurationMs, replicaStatus, type ReplicaStatus } from '../../sdk/schemas';
import { readDocument, storeKeys, type ArtifactStore } from '../../store';

/** A replica is live while its last heartbeat is younger than this many heartbeat intervals. */
export const LIVENESS_INTERVALS = 3;

/** How long a stale heartbeat is kept before it is ignored and deleted, unless `MODELSHIP_REPLICA_TTL` says otherwise. */
export const DEFAULT_REPLICA_TTL_MS = 10 * 60_000;

export function isLive(replica: ReplicaStatus, now: number): boolean {
  return now - Date.parse(replica.heartbeatAt) <= LIVENESS_INTERVALS * replica.heartbeatIntervalMs;
}

/** How long `answers` waits for a replica's liveness route. */
export const PROBE_TIMEOUT_MS = 3000;

/** Whether the replica at `url` answers its liveness route (`/v2/health/live`) at all: false when it is down, frozen or unreachable. */
export async function answers(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  try {
    const response = await fetch(new URL('/v2/health/live', url), { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/** `MODELSHIP_REPLICA_TTL` (a duration such as `10m`, or milliseconds), else {@link DEFAULT_REPLICA_TTL_MS}. */
export function replicaTtlMs(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.MODELSHIP_REPLICA_TTL?.trim();
  if (!text) return DEFAULT_REPLICA_TTL_MS;
  const ms = /^\d+$/.test(text) ? Number(text) : parseDurationMs(text);
  if (ms === undefined) throw new Error(`MODELSHIP_REPLICA_TTL="${text}" is not a duration like "10m" or "1h"`);
  return ms;
}

/** Registered replicas sorted by what their last heartbeat says: live, stale (stopped, within the TTL), expired (older). */
export interface ReplicaHeartbeats {
  live: ReplicaStatus[];
  stale: ReplicaStatus[];
  expired: ReplicaStatus[];
}

export function classifyHeartbeats(replicas: ReplicaStatus[], now: number, ttlMs: number): ReplicaHeartbeats {
  const sorted: ReplicaHeartbeats = { live: [], stale: [], expired: [] };
  for (const replica of replicas) {
    if (isLive(replica, now)) sorted.live.push(replica);
    else if (now - Date.parse(replica.heartbeatAt) <= ttlMs) sorted.stale.push(replica);
    else sorted.expired.push(replica);
  }
  return sorted;
}

/** Every registered replica whose heartbeat is current. Unreadable documents are skipped. */
export async function liveReplicas(store: ArtifactStore, now = Date.now()): Promise<ReplicaStatus[]> {
  return (await registeredReplicas(store, now)).live;
}

/**
 * Every registered replica, live or stale: a stale one stopped heartbeating (killed, crashed, cut
 * off) without deregistering, and stays in the store until a replica with its id starts again or
 * its heartbeat is older than the TTL; then it is left out and its document deleted (best effort: a
 * reader without delete rights leaves it for another).
 */
export async function registeredReplicas(
  store: ArtifactStore,
  now = Date.now(),
  ttlMs = replicaTtlMs(),
): Promise<{ live: ReplicaStatus[]; stale: ReplicaStatus[] }> {
  const keys = await store.list(storeKeys.replicasPrefix);
  const replicas = (await Promise.all(keys.map((key) => readDocument(store, key, replicaStatus).catch(() => undefined)))).filter(
    (r): r is ReplicaStatus => r !== undefined,
  );
  const { live, stale, expired } = classifyHeartbeats(replicas, now, ttlMs);
  await Promise.all(expired.map((r) => store.delete(storeKeys.replica(r.replicaId)).catch(() => undefined)));
  return { live, stale };
}
