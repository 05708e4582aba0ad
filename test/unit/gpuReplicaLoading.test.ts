/**
 * What a replica loads for its target: a CPU replica each version's `digest` on the CPU provider, a
 * GPU replica each version's gpu pick with TensorRT and CUDA registered together, else CUDA alone — never the CPU — and both report
 * their target and what they loaded in their heartbeat. Over a real filesystem store and a runtime
 * that records what it was asked to load (this machine has no GPU: the providers' behaviour is
 * onnxruntime's; here only what the replica asks for is checked).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeRouting } from '../../activities/rollout/releaseVersion';
import type { ExecutionProvider, ModelRuntime, ModelSession } from '../../runtime';
import { replicaStatus, type Target } from '../../sdk/schemas';
import { ModelRegistry } from '../../serving/modelRegistry';
import { Reconciler } from '../../serving/reconciler';
import { FsArtifactStore, putModel, readDocument, storeKeys, type ArtifactStore } from '../../store';

/** Loads on the providers asked for; `available` says which exist on the pretend machine. */
function recordingRuntime(available: readonly ExecutionProvider[]) {
  const loads: { bytes: number; providers: readonly ExecutionProvider[] }[] = [];
  const runtime: ModelRuntime = {
    version: 'recording',
    load(model, options = {}) {
      const providers = options.executionProviders ?? ['cpu'];
      loads.push({ bytes: model.byteLength, providers });
      if (!providers.every((p) => available.includes(p))) return Promise.reject(new Error(`${providers.join(',')} is not available`));
      const session: ModelSession = {
        signature: { inputs: [], outputs: [] },
        runtime: { ortVersion: 'x', executionProvider: providers.join('+'), intraOpThreads: 0 },
        run: () => Promise.resolve({}),
        release: () => Promise.resolve(),
      };
      return Promise.resolve(session);
    },
  };
  return { runtime, loads };
}

/** One reconcile pass of a replica of `target`; returns what it applied and its heartbeat. */
async function reconcileAs(store: ArtifactStore, target: Target, runtime: ModelRuntime) {
  const logged: string[] = [];
  const reconciler = new Reconciler({
    store,
    runtime,
    registry: new ModelRegistry(),
    replicaId: `${target}-0`,
    url: `http://${target}-0`,
    target,
    pollIntervalMs: 1e6,
    heartbeatIntervalMs: 1e6,
    intraOpThreads: 1,
    log: (line: string) => logged.push(line),
  });
  await reconciler.reconcile();
  const beat = await readDocument(store, storeKeys.replica(`${target}-0`), replicaStatus);
  const applied = reconciler.status();
  await reconciler.stop();
  return { applied, beat, logged };
}

test('a CPU replica loads the cpu pick on the CPU, a GPU replica the gpu pick with TensorRT+CUDA, else CUDA, and never the CPU', async () => {
  const store = new FsArtifactStore(await mkdtemp(path.join(tmpdir(), 'targets-')));
  const [cpuPick, gpuPick] = [await putModel(store, Buffer.alloc(100, 1), 'onnx'), await putModel(store, Buffer.alloc(200, 2), 'onnx')];
  await writeRouting(store, 'picks', 'test', [{ version: 'v1', digest: cpuPick.digest, weight: 100, picks: { gpu: { digest: gpuPick.digest } } }]);

  const cpu = recordingRuntime(['cpu']);
  const onCpu = await reconcileAs(store, 'cpu', cpu.runtime);
  expect(cpu.loads).toEqual([{ bytes: 100, providers: ['cpu'] }]);
  expect(onCpu.beat).toMatchObject({
    target: 'cpu',
    endpoints: { picks: { generation: 1, digests: { v1: cpuPick.digest } } },
  });

  // A machine with TensorRT and CUDA: both registered in one session (CUDA takes the nodes TensorRT cannot, never the CPU).
  const both = recordingRuntime(['tensorrt', 'cuda']);
  const onBoth = await reconcileAs(store, 'gpu', both.runtime);
  expect(both.loads).toEqual([{ bytes: 200, providers: ['tensorrt', 'cuda'] }]);
  expect(onBoth.logged.join('\n')).toContain(`model ${gpuPick.digest.slice(0, 12)} loaded on tensorrt+cuda (target gpu)`);

  // A machine with CUDA but no TensorRT: TensorRT with CUDA is tried first, then CUDA alone serves.
  const gpu = recordingRuntime(['cuda']);
  const onGpu = await reconcileAs(store, 'gpu', gpu.runtime);
  expect(gpu.loads).toEqual([
    { bytes: 200, providers: ['tensorrt', 'cuda'] },
    { bytes: 200, providers: ['cuda'] },
  ]);
  expect(onGpu.logged.join('\n')).toContain('loaded on cuda (target gpu)');
  expect(onGpu.beat).toMatchObject({
    target: 'gpu',
    endpoints: { picks: { generation: 1, digests: { v1: gpuPick.digest } } },
  });

  // No GPU provider at all: the generation fails with what was tried; nothing is loaded on the CPU.
  const none = recordingRuntime(['cpu']);
  const failed = await reconcileAs(store, 'gpu', none.runtime);
  expect(none.loads.map((l) => l.providers)).toEqual([['tensorrt', 'cuda'], ['cuda']]);
  expect(failed.applied.picks?.error?.message).toMatch(/no GPU execution provider is available .* tried tensorrt\+cuda \(.*\), cuda \(.*\)/);
});
