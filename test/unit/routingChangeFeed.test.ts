/**
 * Change-driven reconciliation over the fs store: a routing change is seen through the change log,
 * an unchanged store costs one listing per poll, a full pass reads only documents changed since it
 * last read them, entries logged by a writer whose clock is behind are still seen, and a full pass
 * is what notices a routing document that is gone.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRouting } from '../../activities/rollout/releaseVersion';
import type { ModelRuntime } from '../../runtime';
import { Reconciler } from '../../serving/reconciler';
import { RoutingChangeFeed } from '../../serving/routingChangeFeed';
import type { RoutingDocument } from '../../sdk/schemas';
import { collectRoutingChanges, FsArtifactStore, recordRoutingChange, storeKeys, type ArtifactStore } from '../../store';
import { countingStore } from '../support/countingStore';

const DIGEST = 'a'.repeat(64);

async function freshStore(): Promise<FsArtifactStore> {
  return new FsArtifactStore(await mkdtemp(join(tmpdir(), 'modelship-changes-')));
}

/** A registry that records what it was asked to serve, loading nothing. */
function recordingRegistry() {
  const served = new Map<string, RoutingDocument>();
  return {
    served,
    registry: {
      apply: async (doc: RoutingDocument) => void served.set(doc.endpoint, doc),
      remove: async (endpoint: string) => void served.delete(endpoint),
      route: (endpoint: string) => (served.has(endpoint) ? ({} as never) : undefined),
      endpoints: () => [...served.keys()],
      loadedDigests: (endpoint: string) => Object.fromEntries((served.get(endpoint)?.versions ?? []).map((v) => [v.version, v.digest])),
    },
  };
}

/** Polls and beats only when asked (the tests call `reconcile`). */
const NEVER = { pollIntervalMs: 1e6, heartbeatIntervalMs: 1e6 };

function reconcilerOver(store: ArtifactStore, registry: ReturnType<typeof recordingRegistry>['registry']): Reconciler {
  return new Reconciler({ store, runtime: {} as ModelRuntime, registry, replicaId: 'r', url: 'http://r', ...NEVER, intraOpThreads: 1, log: () => undefined });
}

test('the store keys of the change log: time first, so entries list oldest first, and they parse back', () => {
  const key = storeKeys.routingChange(1_700_000_000_123, 'fraud-2', 14);
  expect(key).toBe('routing-changes/0001700000000123-fraud-2-14');
  expect(storeKeys.routingChangeOf(key)).toEqual({ timeMs: 1_700_000_000_123, endpoint: 'fraud-2', generation: 14 });
  expect(storeKeys.routingChangeOf('routing-changes/junk')).toBeUndefined();
});

test('a routing change is seen through the change log, and applied without listing endpoints/', async () => {
  const fs = await freshStore();
  const { store, counts } = countingStore(fs);
  const { registry, served } = recordingRegistry();
  await writeRouting(fs, 'a', 'test', [{ version: 'v1', digest: DIGEST, weight: 100 }]);
  const reconciler = reconcilerOver(store, registry);
  await reconciler.reconcile('full');
  expect(served.get('a')?.generation).toBe(1);

  await writeRouting(fs, 'b', 'test', [{ version: 'v1', digest: DIGEST, weight: 100 }]);
  await writeRouting(fs, 'a', 'test', [{ version: 'v2', digest: DIGEST, weight: 100 }]);
  const before = { ...counts };
  await reconciler.reconcile();
  expect([served.get('a')?.generation, served.get('b')?.generation]).toEqual([2, 1]);
  // One listing of the log, the two routing documents it names, one heartbeat.
  expect({ list: counts.list - before.list, get: counts.get - before.get, put: counts.put - before.put }).toEqual({ list: 1, get: 2, put: 1 });
  await reconciler.stop();
});

/** A store routing `count` endpoints, read once by a full pass of a reconciler whose requests are counted. */
async function routedAndRead(count: number) {
  const fs = await freshStore();
  for (let i = 0; i < count; i++) await writeRouting(fs, `e${i}`, 'test', [{ version: 'v1', digest: DIGEST, weight: 100 }]);
  const { store, counts } = countingStore(fs);
  const { registry, served } = recordingRegistry();
  const reconciler = reconcilerOver(store, registry);
  await reconciler.reconcile('full');
  expect(served.size).toBe(count);
  return { fs, counts, served, reconciler };
}

test('an unchanged store costs one listing per poll, however many endpoints it routes', async () => {
  const { counts, reconciler } = await routedAndRead(20);
  const before = { ...counts };
  for (let poll = 0; poll < 5; poll++) await reconciler.reconcile();
  expect({ list: counts.list - before.list, get: counts.get - before.get, put: counts.put - before.put }).toEqual({ list: 5, get: 0, put: 0 });
  await reconciler.stop();
});

test('a full pass lists endpoints/ and reads only the routing documents changed since it last read them', async () => {
  const { fs, counts, served, reconciler } = await routedAndRead(20);
  expect(counts.get).toBe(20);
  await reconciler.reconcile('full');
  expect(counts.get).toBe(20);
  await writeRouting(fs, 'e7', 'test', [{ version: 'v2', digest: DIGEST, weight: 100 }]);
  await reconciler.reconcile('full');
  expect(counts.get).toBe(21);
  expect(served.get('e7')?.generation).toBe(2);
  await reconciler.stop();
});

test('entries logged by a writer whose clock is behind are seen within the margin; a full pass sees the rest', async () => {
  const store = await freshStore();
  let now = 1_000_000_000;
  const feed = new RoutingChangeFeed(store, 30_000, () => now);
  feed.markRead();
  now += 5_000;
  expect(await feed.read()).toEqual(new Map());
  // Written after that read by a clock 20 s behind: its key is older than the read.
  await recordRoutingChange(store, 'late', 3, now - 20_000);
  // And by a clock 60 s behind: beyond the margin.
  await recordRoutingChange(store, 'very-late', 1, now - 60_000);
  now += 5_000;
  expect(await feed.read()).toEqual(new Map([['late', 3]]));
  // Seen again while within the margin of the previous read (harmless: a generation is applied once), then not.
  now += 40_000;
  expect(await feed.read()).toEqual(new Map([['late', 3]]));
  now += 5_000;
  expect(await feed.read()).toEqual(new Map());
});

test('a routing document that is gone is noticed by a full pass, not by the change log', async () => {
  const fs = await freshStore();
  const { registry, served } = recordingRegistry();
  await writeRouting(fs, 'gone', 'test', [{ version: 'v1', digest: DIGEST, weight: 100 }]);
  const reconciler = reconcilerOver(fs, registry);
  await reconciler.reconcile('full');
  await fs.delete(storeKeys.routing('gone'));
  await reconciler.reconcile();
  expect(served.has('gone')).toBe(true);
  await reconciler.reconcile('full');
  expect(served.has('gone')).toBe(false);
  await reconciler.stop();
});

test('a retried routing write logs its generation again; old log entries are collected', async () => {
  const store = await freshStore();
  const desired = [{ version: 'v1', digest: DIGEST, weight: 100 }];
  expect(await writeRouting(store, 'a', 'test', desired)).toBe(1);
  // Log keys are named by the millisecond: two writes within one would share a key (one entry, the same news).
  await new Promise((resolve) => setTimeout(resolve, 5));
  expect(await writeRouting(store, 'a', 'test', desired)).toBe(1);
  const logged = await store.list(storeKeys.routingChangesPrefix);
  expect(logged.map((key) => storeKeys.routingChangeOf(key)?.generation)).toEqual([1, 1]);
  await recordRoutingChange(store, 'a', 1, Date.now() - 2 * 3_600_000);
  expect(await collectRoutingChanges(store, 3_600_000, { dryRun: true })).toBe(1);
  expect(await collectRoutingChanges(store, 3_600_000)).toBe(1);
  expect(await store.list(storeKeys.routingChangesPrefix)).toEqual(logged);
});
