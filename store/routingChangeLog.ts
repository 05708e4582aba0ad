/**
 * The routing change log: after each routing write the writer adds one empty object
 * `routing-changes/<ms time>-<endpoint>-<generation>` (see `storeKeys.routingChange`), so a replica
 * learns what changed since it last looked from one listing that starts after a time, instead of
 * reading every routing document. Entries are never read, only listed; old ones are collected.
 *
 * Why a log and not an index document of generations: many endpoint workflows write routing at
 * once, so one index needs a compare-and-swap on every routing write, and writers contend for it.
 * SeaweedFS does honour conditional PUTs (tried: If-None-Match: * on an existing key and If-Match
 * with a stale ETag both answer 412), but the fs store has none and would need a lock of its own,
 * and not every S3-compatible server offers them. A log needs no coordination (each writer adds its
 * own key), and a listing with StartAfter costs one request whatever the number of endpoints.
 * Conditional GETs (If-None-Match → 304) would still cost one request per endpoint.
 */
import type { ArtifactStore } from './artifactStore';
import { storeKeys } from './keys';

/** One logged routing write. */
export interface RoutingChange {
  timeMs: number;
  endpoint: string;
  generation: number;
}

/** Logs that `endpoint`'s routing now carries `generation` (after the routing document is written). */
export async function recordRoutingChange(store: ArtifactStore, endpoint: string, generation: number, now = Date.now()): Promise<void> {
  await store.put(storeKeys.routingChange(now, endpoint, generation), new Uint8Array(0));
}

/** The changes logged at or after `sinceMs` (by the writers' clocks), oldest first: one listing. */
export async function routingChangesSince(store: ArtifactStore, sinceMs: number): Promise<RoutingChange[]> {
  // Every entry of time sinceMs or later sorts after the bare padded time (it is their prefix).
  const startAfter = `${storeKeys.routingChangesPrefix}${String(Math.max(0, Math.trunc(sinceMs))).padStart(16, '0')}`;
  const keys = await store.list(storeKeys.routingChangesPrefix, { startAfter });
  return keys.map((key) => storeKeys.routingChangeOf(key)).filter((change): change is RoutingChange => change !== undefined);
}

/** Deletes log entries older than `olderThanMs` (they only matter to replicas that missed them, and a full pass covers those); returns how many. */
export async function collectRoutingChanges(store: ArtifactStore, olderThanMs: number, options: { now?: number; dryRun?: boolean } = {}): Promise<number> {
  const cutoff = (options.now ?? Date.now()) - olderThanMs;
  const old = (await store.list(storeKeys.routingChangesPrefix)).filter((key) => (storeKeys.routingChangeOf(key)?.timeMs ?? Infinity) < cutoff);
  if (!options.dryRun) for (const key of old) await store.delete(key);
  return old.length;
}
