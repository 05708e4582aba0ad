/**
 * Why a replica serves no version of a model the store routes: before its first pass over the
 * store, while the first load is under way, after it failed; and the 503 the gateway answers with.
 * Over a real filesystem store and a runtime whose loads the test holds open or fails.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeRouting } from '../../activities/rollout/releaseVersion';
import type { ModelRuntime, ModelSession } from '../../runtime';
import { modelReadiness, notLoadedError } from '../../serving/modelInfo';
import { ModelRegistry } from '../../serving/modelRegistry';
import { Reconciler } from '../../serving/reconciler';
import { FsArtifactStore, putModel, storeKeys } from '../../store';

const session: ModelSession = {
  signature: { inputs: [], outputs: [] },
  runtime: { ortVersion: 'x', executionProvider: 'cpu', intraOpThreads: 0 },
  run: async () => ({}),
  release: async () => undefined,
};

test('before the first pass, while the first load runs, after it failed: a 503 with the reason; unknown models stay 404', async () => {
  const store = new FsArtifactStore(await mkdtemp(path.join(tmpdir(), 'not-serving-')));
  const good = await putModel(store, Buffer.from('good model'), 'onnx');
  const bad = await putModel(store, Buffer.from('bad model'), 'onnx');
  await writeRouting(store, 'iris', 'test', [{ version: 'v1', digest: good.digest, weight: 100 }]);
  await writeRouting(store, 'broken', 'test', [{ version: 'v1', digest: bad.digest, weight: 100 }]);
  let loadStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (loadStarted = resolve));
  let finishLoad: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (finishLoad = resolve));
  const runtime: ModelRuntime = {
    version: 'fake',
    async load(bytes) {
      if (Buffer.from(bytes).toString() === 'bad model') throw new Error('not an ONNX model');
      loadStarted();
      await held;
      return session;
    },
  };
  const registry = new ModelRegistry();
  const reconciler = new Reconciler({
    store,
    runtime,
    registry,
    replicaId: 'r',
    url: 'http://r',
    pollIntervalMs: 1e6,
    heartbeatIntervalMs: 1e6,
    intraOpThreads: 1,
    log: () => undefined,
  });
  const models = { registry, reconciler };

  expect(notLoadedError(models, 'iris')?.message).toBe(
    'model "iris" is not loaded on this replica: the replica has not finished reading the routing in the store',
  );
  const pass = reconciler.reconcile();
  await started;
  expect(notLoadedError(models, 'iris')).toMatchObject({ status: 503, message: 'model "iris" is not loaded on this replica: generation 1 is still loading' });
  expect(modelReadiness(models, 'iris', undefined)).toEqual({ status: 503, ready: false, reason: expect.stringMatching(/still loading/) });
  finishLoad();
  await pass;

  expect(notLoadedError(models, 'iris')).toBeUndefined();
  expect(modelReadiness(models, 'iris', undefined)).toEqual({ status: 200, ready: true });
  expect(modelReadiness(models, 'iris', 'v9')).toEqual({ status: 404, ready: false });
  expect(notLoadedError(models, 'broken')?.message).toMatch(/^model "broken" is not loaded on this replica: generation 1 failed to load: .*not an ONNX model/);
  expect(modelReadiness(models, 'nope', undefined)).toEqual({ status: 404, ready: false });

  // Its routing document gone, a model that failed is unknown, not unloaded.
  await store.delete(storeKeys.routing('broken'));
  await reconciler.reconcile('full');
  expect(notLoadedError(models, 'broken')).toBeUndefined();
  expect(modelReadiness(models, 'broken', undefined)).toEqual({ status: 404, ready: false });
  await reconciler.stop();
  await registry.close();
});
