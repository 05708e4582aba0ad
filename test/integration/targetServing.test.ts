/**
 * Serving on a target: on a machine without a usable GPU (this one) `modelship serve --target gpu`
 * refuses to start, saying what it checked and what to do (bounded: a refusal that broke is killed and
 * fails the test with its output); where the GPU probe succeeds, it starts as a GPU replica instead. A release with distinct cpu and gpu picks writes both into
 * the routing document, the CPU replica (a real `modelship serve` process) serves the cpu pick —
 * its answers are the cpu pick's, not the gpu pick's — and the verification by inference passes; a
 * deployment with `targets: [cpu, gpu]` (its GPU stages on a clearly labelled CPU stand-in for a GPU
 * worker, test/support/cpuStandInGpuWorker.ts) routes each target's pick and the endpoint keeps them.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { standaloneContext } from '../../activities/activityContext';
import { releaseVersion } from '../../activities/rollout/releaseVersion';
import { verifyServing } from '../../activities/rollout/verifyServing';
import { encodeOutputs } from '../../protocol/kserveProtocol';
import { OnnxRuntime, profileFeeds, type ModelSession } from '../../runtime';
import { probeGpu } from '../../runtime/gpuProbe';
import { replicaStatus, routingDocument } from '../../sdk/schemas';
import { FsArtifactStore, putModel, readDocument, storeKeys } from '../../store';
import { type ManagedProcess } from '../../cli/dev/childProcess';
import { PACKAGE_ROOT } from '../../cli/dev/projectPaths';
import { keptVersionsDocument, type PipelineSpec } from '../../sdk/schemas';
import { loadPipelineSpec } from '../../sdk/specFile';
import { startStack } from '../support/stack';
import { startCpuStandInGpuWorker } from '../support/cpuStandIn';
import { ADMIN_TOKEN, modelPath, processEnv, runCli, startGatewayProcess, tempDir } from '../support/testEnv';

let replica: { process: ManagedProcess; url: string } | undefined;

afterAll(async () => {
  await replica?.process.stop();
});

test('serve --target gpu refuses to start without a GPU (what it checked and what to do, exit 1, no stack trace), and starts where there is one', async () => {
  const storeDir = await tempDir('store-gpu-refusal');
  const probe = await probeGpu(new OnnxRuntime());
  if (probe.available) {
    // A machine with a usable GPU: the replica starts, serving on it, and registers as a GPU replica.
    const gpu = await startGatewayProcess(storeDir, { replicaId: 'gpu-0', extraArgs: ['--target', 'gpu'] });
    try {
      const health = await fetch(`${gpu.url}/v2/health/live`);
      expect(health.status).toBe(200);
      expect(await readDocument(new FsArtifactStore(storeDir), storeKeys.replica('gpu-0'), replicaStatus)).toMatchObject({ target: 'gpu' });
    } finally {
      await gpu.process.stop();
    }
    return;
  }
  // Bounded: a refusal that broke would leave a serve running; it is killed and the test fails with its output.
  const refused = await runCli(['serve', '--target', 'gpu', '--port', '0'], { storeUri: storeDir, timeoutMs: 90_000 });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(
    /error: this gateway replica cannot serve on the GPU \(--target gpu\): it loaded a probe model with TensorRT\+CUDA, then CUDA alone, and both failed/,
  );
  expect(refused.stderr).toMatch(/tried tensorrt\+cuda \(.*\), cuda \(.*\)/);
  expect(refused.stderr).toMatch(/Start GPU replicas on a machine with an NVIDIA GPU.*Or serve on the CPU: `modelship serve --target cpu`/s);
  expect(refused.stderr).not.toMatch(/^\s+at /m);
  // It never registered: no heartbeat, so no release waits for it.
  expect(await readdir(path.join(storeDir, 'gateway')).catch(() => [])).toEqual([]);
});

test('a release with distinct cpu and gpu picks writes both into routing, and the CPU replica serves the cpu pick', async () => {
  const storeDir = await tempDir('store-target-picks');
  const store = new FsArtifactStore(storeDir);
  const cpuPick = await putModel(store, await readFile(modelPath('classifier')), 'onnx');
  const gpuPick = await putModel(store, await readFile(modelPath('classifier_perturbed')), 'onnx');
  replica = await startGatewayProcess(storeDir, { replicaId: 'cpu-0', extraArgs: ['--target', 'cpu'] });

  await releaseVersion(
    { store, context: standaloneContext(), adminToken: ADMIN_TOKEN },
    {
      endpoint: 'picks',
      version: 'v1',
      digest: cpuPick.digest,
      picks: { gpu: { digest: gpuPick.digest } },
      timeoutMs: 30_000,
      minReplicas: 1,
      updatedBy: 'test',
    },
  );
  const routing = await readDocument(store, storeKeys.routing('picks'), routingDocument);
  expect(routing?.versions).toEqual([{ version: 'v1', digest: cpuPick.digest, weight: 100, picks: { gpu: { digest: gpuPick.digest } } }]);
  expect(await readDocument(store, storeKeys.replica('cpu-0'), replicaStatus)).toMatchObject({
    target: 'cpu',
    endpoints: { picks: { generation: routing?.generation, digests: { v1: cpuPick.digest } } },
  });

  // By inference: the replica answers as the cpu pick does, not as the gpu pick.
  const runtime = new OnnxRuntime();
  const [onCpu, onGpu] = await Promise.all([
    runtime.load(await readFile(modelPath('classifier')), { instances: 0 }),
    runtime.load(await readFile(modelPath('classifier_perturbed')), { instances: 0 }),
  ]);
  const answer = (session: ModelSession, feeds: ReturnType<typeof profileFeeds>) => session.run(feeds).then((outputs) => encodeOutputs(outputs));
  const feeds = profileFeeds(onCpu.signature.inputs, undefined, { seed: 7 });
  const response = await fetch(`${replica.url}/v2/models/picks/infer`, {
    method: 'POST',
    body: JSON.stringify({ inputs: encodeOutputs(feeds) }),
    headers: { 'content-type': 'application/json' },
  });
  const served = ((await response.json()) as { outputs: unknown }).outputs;
  expect(served).toEqual(await answer(onCpu, feeds));
  expect(served).not.toEqual(await answer(onGpu, feeds));
  await Promise.all([onCpu.release(), onGpu.release()]);

  // The verification after a return to stable passes: v1 answers, from the cpu pick on the CPU replica.
  expect(await verifyServing(store, 'picks', 'v1')).toMatchObject({ replicas: 1, versions: { v1: 5 } });
});

test('a deployment targeting cpu and gpu routes each pick: digest for CPU replicas, picks.gpu for GPU ones, kept for a re-release (even one listing only cpu) and a rollback', async () => {
  const stack = await startStack('store-target-deploy', { replicaId: 'cpu-0' });
  const standIn = await startCpuStandInGpuWorker(processEnv(stack.storeDir));
  try {
    const example = await loadPipelineSpec(path.join(PACKAGE_ROOT, 'examples/pytorch-cnn/pipeline.ts'), { version: 'v1' });
    // cpu: the fp32 conversion alone; gpu: fp32 or its graph-optimized copy, selected as the pipeline always selects
    // (usually graph: chosen when it measures no slower), without pretending anything about GPU speed.
    const spec: PipelineSpec = {
      ...example,
      endpoint: 'target-picks',
      targets: ['cpu', 'gpu'],
      stages: {
        ...example.stages,
        optimize: { ...example.stages.optimize, passes: { cpu: [], gpu: ['graph'] } },
        benchmark: { ...example.stages.benchmark, batchSizes: [32], windowRuns: 10, budget: 3000, minSpeedupPercent: 0 },
      },
    };
    const result = await (await stack.client.deploy(spec)).result();
    expect(result.outcome).toBe('promoted');
    const selected = (target: string) => result.candidates.find((c) => c.selected && c.target === target)?.artifact?.digest;
    // The cpu pick is fp32 (its only candidate); the gpu pick is whichever the benchmark chose (graph when it measured
    // no slower): the routing carries each as selected, whether or not they differ (speed is not asserted here).
    const [cpuPick, gpuPick] = [selected('cpu'), selected('gpu')];
    expect(cpuPick).toBe(result.candidates.find((c) => c.target === 'cpu' && c.pass === 'convert')?.artifact?.digest);
    expect(result.artifact?.digest).toBe(cpuPick);
    expect(result.picks?.gpu?.digest).toBe(gpuPick);

    const store = new FsArtifactStore(stack.storeDir);
    const routing = await readDocument(store, storeKeys.routing('target-picks'), routingDocument);
    expect(routing?.versions).toMatchObject([{ version: 'v1', digest: cpuPick, weight: 100, picks: { gpu: { digest: gpuPick } } }]);
    expect(await readDocument(store, storeKeys.replica('cpu-0'), replicaStatus)).toMatchObject({
      target: 'cpu',
      endpoints: { 'target-picks': { generation: routing?.generation, digests: { v1: cpuPick } } },
    });
    // The endpoint keeps the version's picks (a rollback or re-release serves them again; garbage collection keeps them).
    const kept = await readDocument(store, storeKeys.keptVersions('target-picks'), keptVersionsDocument);
    expect(kept?.versions).toEqual([{ version: 'v1', digest: cpuPick, picks: { gpu: { digest: gpuPick } } }]);

    // A re-release of v1 serves its picks again, and a rollback to v1 (from v2) routes them too.
    const again = await (await stack.client.deploy({ ...spec, version: 'v2', model: { ...spec.model, source: 'version:v1' } })).result();
    expect(again.outcome).toBe('promoted');
    const routed = async () => (await readDocument(store, storeKeys.routing('target-picks'), routingDocument))?.versions;
    expect(await routed()).toMatchObject([{ version: 'v2', digest: cpuPick, picks: { gpu: { digest: gpuPick } } }]);
    // A re-release whose spec lists only cpu keeps the version's gpu pick: GPU replicas serve again what they served.
    const cpuOnly = await (await stack.client.deploy({ ...spec, version: 'v3', targets: ['cpu'], model: { ...spec.model, source: 'version:v1' } })).result();
    expect(cpuOnly.outcome).toBe('promoted');
    expect(await routed()).toMatchObject([{ version: 'v3', digest: cpuPick, picks: { gpu: { digest: gpuPick } } }]);
    const back = await runCli(['rollback', 'target-picks', '--to', 'v1', '--reason', 'picks check'], { storeUri: stack.storeDir });
    expect(back.stderr).toBe('');
    expect(await routed()).toMatchObject([{ version: 'v1', digest: cpuPick, picks: { gpu: { digest: gpuPick } } }]);
  } finally {
    await standIn.stop();
    await stack.stop();
  }
});
