/**
 * The check that each replica serves its target's pick, from what replicas really loaded: a replica's
 * heartbeat reports the digests its registry holds (not the routing it was asked to apply), and a
 * release fails (`ReplicaLoadFailed`) when a replica serves a version from another artifact than its
 * target's pick. Over a real filesystem store, a real reconciler and registry, and a runtime that loads
 * nothing (only which artifact is loaded matters here); the broken replica is a registry that loads
 * the cpu pick whatever it is asked.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { standaloneContext } from '../../activities/activityContext';
import { releaseVersion } from '../../activities/rollout/releaseVersion';
import type { ModelRuntime, ModelSession } from '../../runtime';
import { replicaStatus, type RoutingDocument } from '../../sdk/schemas';
import { ModelRegistry, type LoadSession } from '../../serving/modelRegistry';
import { Reconciler } from '../../serving/reconciler';
import { FsArtifactStore, putModel, readDocument, storeKeys, type ArtifactStore } from '../../store';

const runtime: ModelRuntime = {
  version: 'none',
  load: (_model, options = {}) =>
    Promise.resolve<ModelSession>({
      signature: { inputs: [], outputs: [] },
      runtime: { ortVersion: 'none', executionProvider: (options.executionProviders ?? ['cpu']).join('+'), intraOpThreads: 0 },
      run: () => Promise.resolve({}),
      release: () => Promise.resolve(),
    }),
};

/** A broken registry: whatever the routing asks, it loads `digest` for every version. */
class OneArtifactRegistry extends ModelRegistry {
  constructor(private readonly digest: string) {
    super();
  }
  override apply(doc: RoutingDocument, load: LoadSession): Promise<void> {
    return super.apply({ ...doc, versions: doc.versions.map((v) => ({ ...v, digest: this.digest })) }, load);
  }
}

async function gpuReplica(store: ArtifactStore, registry: ModelRegistry): Promise<Reconciler> {
  const reconciler = new Reconciler({
    store,
    runtime,
    registry,
    replicaId: 'gpu-0',
    url: 'http://127.0.0.1:9',
    target: 'gpu',
    pollIntervalMs: 50,
    heartbeatIntervalMs: 100,
    intraOpThreads: 1,
    log: () => undefined,
  });
  await reconciler.start();
  return reconciler;
}

async function setUp() {
  const store = new FsArtifactStore(await mkdtemp(path.join(tmpdir(), 'pick-check-')));
  const [cpuPick, gpuPick] = [await putModel(store, Buffer.alloc(100, 1), 'onnx'), await putModel(store, Buffer.alloc(200, 2), 'onnx')];
  const release = () =>
    releaseVersion(
      { store, context: standaloneContext(), pollIntervalMs: 50 },
      {
        endpoint: 'picks',
        version: 'v1',
        digest: cpuPick.digest,
        picks: { gpu: { digest: gpuPick.digest } },
        timeoutMs: 60_000,
        minReplicas: 1,
        updatedBy: 'test',
      },
    );
  return { store, cpuPick, gpuPick, release };
}

test('a GPU replica whose registry loaded the cpu pick reports it, and the release fails naming it', async () => {
  const { store, cpuPick, gpuPick, release } = await setUp();
  const replica = await gpuReplica(store, new OneArtifactRegistry(cpuPick.digest));
  try {
    await expect(release()).rejects.toMatchObject({
      type: 'ReplicaLoadFailed',
      message: `generation 1 of picks is not served from each target's pick: gpu-0 (gpu) serves v1 from ${cpuPick.digest}, not its gpu pick ${gpuPick.digest}`,
    });
    const beat = await readDocument(store, storeKeys.replica('gpu-0'), replicaStatus);
    expect(beat?.endpoints.picks).toMatchObject({ generation: 1, digests: { v1: cpuPick.digest } });
  } finally {
    await replica.stop();
  }
});

test('a GPU replica that loaded the gpu pick passes the check after the release', async () => {
  const { store, gpuPick, release } = await setUp();
  const replica = await gpuReplica(store, new ModelRegistry());
  try {
    expect(await release()).toMatchObject({ generation: 1, replicas: [{ replicaId: 'gpu-0', generation: 1 }] });
    const beat = await readDocument(store, storeKeys.replica('gpu-0'), replicaStatus);
    expect(beat?.endpoints.picks).toMatchObject({ generation: 1, digests: { v1: gpuPick.digest } });
  } finally {
    await replica.stop();
  }
});
