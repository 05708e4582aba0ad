/**
 * A replica and placement: it loads an endpoint placed on it, unloads one whose placement moves
 * elsewhere (and leaves it out of its heartbeat, answering 404 with where it runs), and refuses a model over its memory budget with
 * the reason in its status. Over a real filesystem store and a runtime that counts its sessions.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeRouting } from '../../activities/rollout/releaseVersion';
import type { ModelRuntime, ModelSession } from '../../runtime';
import { replicaStatus } from '../../sdk/schemas';
import { missingModelError } from '../../serving/modelInfo';
import { ModelRegistry } from '../../serving/modelRegistry';
import { Reconciler } from '../../serving/reconciler';
import { FsArtifactStore, putModel, readDocument, storeKeys, type ArtifactStore } from '../../store';

let open = 0;
const runtime: ModelRuntime = {
  version: 'fake',
  load() {
    open++;
    const session: ModelSession = {
      signature: { inputs: [], outputs: [] },
      runtime: { ortVersion: 'x', executionProvider: 'cpu', intraOpThreads: 0 },
      run: () => Promise.resolve({}),
      release: () => {
        open--;
        return Promise.resolve();
      },
    };
    return Promise.resolve(session);
  },
};

function replica(store: ArtifactStore, registry: ModelRegistry, memoryBudgetBytes?: number): Reconciler {
  return new Reconciler({
    store,
    runtime,
    registry,
    replicaId: 'a-0',
    url: 'http://a-0',
    labels: { pool: 'a' },
    memoryBudgetBytes,
    pollIntervalMs: 1e6,
    heartbeatIntervalMs: 1e6,
    intraOpThreads: 1,
    log: () => undefined,
  });
}

test('loads what is placed on it, unloads what moves elsewhere, and reports labels and memory in its heartbeat', async () => {
  const store = new FsArtifactStore(await mkdtemp(path.join(tmpdir(), 'placed-')));
  const model = await putModel(store, Buffer.alloc(1000, 1), 'onnx');
  const versions = [{ version: 'v1', digest: model.digest, weight: 100, serving: { instances: 2 } }];
  await writeRouting(store, 'mine', 'test', { versions, placement: { selector: { pool: 'a' } } });
  await writeRouting(store, 'theirs', 'test', { versions, placement: { selector: { pool: 'b' } } });
  const registry = new ModelRegistry();
  const reconciler = replica(store, registry);
  await reconciler.reconcile();
  expect(registry.endpoints()).toEqual(['mine']);
  const beat = await readDocument(store, storeKeys.replica('a-0'), replicaStatus);
  expect(beat).toMatchObject({ labels: { pool: 'a' }, memoryUsedBytes: 2000, endpoints: { mine: { generation: 1 } } });
  expect(Object.keys(beat?.endpoints ?? {})).toEqual(['mine']);

  // The next routing write places it on another replica of the pool: unloaded here, its memory given back.
  await writeRouting(store, 'mine', 'test', { versions, placement: { selector: { pool: 'a' }, replicas: ['a-1'] } });
  await reconciler.reconcile();
  await registry.whenRetired();
  expect(registry.endpoints()).toEqual([]);
  expect(open).toBe(0);
  expect(await readDocument(store, storeKeys.replica('a-0'), replicaStatus)).toMatchObject({ memoryUsedBytes: 0, endpoints: {} });
  // Its 404 here says where it runs; one placed on another pool, by the selector.
  const models = { registry, reconciler };
  expect(missingModelError(models, 'mine')).toMatchObject({
    status: 404,
    message: 'model "mine" is not placed on this replica: it runs on replica(s) a-1 (pool=a)',
  });
  expect(missingModelError(models, 'theirs').message).toBe('model "theirs" is not placed on this replica: it runs on the replicas labelled pool=b');
  expect(missingModelError(models, 'nothing').message).toBe('unknown model "nothing"');
  await store.delete(storeKeys.routing('theirs'));
  await reconciler.reconcile('full');
  expect(missingModelError(models, 'theirs').message).toBe('unknown model "theirs"');
  await reconciler.stop();
  await registry.close();
});

test('a model over the memory budget is refused, with the numbers in the replica status', async () => {
  const store = new FsArtifactStore(await mkdtemp(path.join(tmpdir(), 'budget-')));
  const model = await putModel(store, Buffer.alloc(3000, 1), 'onnx');
  await writeRouting(store, 'big', 'test', [{ version: 'v1', digest: model.digest, weight: 100, serving: { instances: 1 } }]);
  const registry = new ModelRegistry();
  const reconciler = replica(store, registry, 2048);
  await reconciler.reconcile();
  expect(registry.endpoints()).toEqual([]);
  expect(reconciler.status().big?.error?.message).toBe(
    `model ${model.digest.slice(0, 12)} (1 instance(s)) needs ~2.9 KiB, over this replica's memory budget of 2.0 KiB (0 B in use): place it on a pool with more memory, or raise --memory-budget`,
  );
  await reconciler.stop();
  await registry.close();
});
