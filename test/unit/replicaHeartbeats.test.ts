/** Replica heartbeats: live, stale within the TTL, and expired ones forgotten and deleted from the store. */
import { classifyHeartbeats, DEFAULT_REPLICA_TTL_MS, registeredReplicas, replicaTtlMs } from '../../activities/rollout/replicas';
import type { ReplicaStatus } from '../../sdk/schemas';
import { FsArtifactStore, storeKeys, writeDocument } from '../../store';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const replica = (replicaId: string, ageMs: number): ReplicaStatus => ({
  replicaId,
  url: `http://127.0.0.1:1/${replicaId}`,
  startedAt: new Date(NOW - 3_600_000).toISOString(),
  heartbeatAt: new Date(NOW - ageMs).toISOString(),
  heartbeatIntervalMs: 1000,
  endpoints: {},
});

test('a heartbeat is live for three intervals, stale until the TTL, expired after it', () => {
  const sorted = classifyHeartbeats([replica('a', 2000), replica('b', 60_000), replica('c', 11 * 60_000)], NOW, 10 * 60_000);
  expect(sorted.live.map((r) => r.replicaId)).toEqual(['a']);
  expect(sorted.stale.map((r) => r.replicaId)).toEqual(['b']);
  expect(sorted.expired.map((r) => r.replicaId)).toEqual(['c']);
});

test('MODELSHIP_REPLICA_TTL: a duration or milliseconds, 10 minutes by default, refused when malformed', () => {
  expect(replicaTtlMs({})).toBe(DEFAULT_REPLICA_TTL_MS);
  expect(replicaTtlMs({ MODELSHIP_REPLICA_TTL: '1h' })).toBe(3_600_000);
  expect(replicaTtlMs({ MODELSHIP_REPLICA_TTL: '5000' })).toBe(5000);
  expect(() => replicaTtlMs({ MODELSHIP_REPLICA_TTL: 'soon' })).toThrow('MODELSHIP_REPLICA_TTL="soon" is not a duration');
});

test('the reader leaves out expired heartbeats and deletes them from the store', async () => {
  const store = new FsArtifactStore(await mkdtemp(join(tmpdir(), 'replica-ttl-')));
  for (const r of [replica('live', 1000), replica('stale', 60_000), replica('gone', 20 * 60_000)])
    await writeDocument(store, storeKeys.replica(r.replicaId), r);
  const { live, stale } = await registeredReplicas(store, NOW, 10 * 60_000);
  expect(live.map((r) => r.replicaId)).toEqual(['live']);
  expect(stale.map((r) => r.replicaId)).toEqual(['stale']);
  expect((await store.list(storeKeys.replicasPrefix)).sort()).toEqual([storeKeys.replica('live'), storeKeys.replica('stale')]);
});
