/**
 * The model stages end to end over the real stack (dev server, CPU worker and gateway processes):
 * PyTorch and scikit-learn examples converted, optimized, validated against the source framework,
 * benchmarked and served; IO-contract breaks and speed regressions rejected with the numbers; GPU
 * stages fail clearly without a GPU worker or without a GPU.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FsArtifactStore, readDocument, storeKeys } from '../../store';
import { ManagedProcess } from '../../cli/dev/childProcess';
import { PACKAGE_ROOT, tsEntry } from '../../cli/dev/projectPaths';
import { type ModelshipClient } from '../../sdk/client';
import { modelMetadata, type PipelineSpecInput } from '../../sdk/schemas';
import { loadPipelineSpec } from '../../sdk/specFile';
import { modelPath, processEnv } from '../support/testEnv';
import { startStack, type Stack } from '../support/stack';

let storeDir: string;
let gateway: { process: ManagedProcess; url: string };
let client: ModelshipClient;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack('store-stages');
  ({ storeDir, gateway, client } = stack);
});

afterAll(() => stack?.stop());

const quick = { optimize: { enabled: false }, benchmark: { windowRuns: 5, budget: '1s' } } as const;

function onnxSpec(endpoint: string, version: string, model: Parameters<typeof modelPath>[0], extra: Partial<PipelineSpecInput> = {}): PipelineSpecInput {
  return {
    endpoint,
    version,
    model: { source: pathToFileURL(modelPath(model)).href },
    stages: quick,
    rollout: { strategy: 'direct', timeout: '30s' },
    ...extra,
  };
}

test('the scikit-learn example is converted, judged against scikit-learn and an evaluation set, and served', async () => {
  const spec = await loadPipelineSpec(path.join(PACKAGE_ROOT, 'examples/sklearn-classifier/pipeline.yaml'), { version: 'it-1' });
  const result = await (await client.deploy(spec)).result();
  expect(result.outcome).toBe('promoted');
  expect(result.conversion?.io.outputs.map((o) => o.name)).toEqual(['label', 'probabilities']);

  const byLabel = Object.fromEntries(result.candidates.map((c) => [c.label, c]));
  expect(Object.keys(byLabel).sort()).toEqual(['fp32', 'graph', 'int8']);
  expect(byLabel.fp32?.validation?.parity?.outputs.map((o) => [o.name, o.passed])).toEqual([
    ['label', true],
    ['probabilities', true],
  ]);
  expect(byLabel.fp32?.validation?.accuracy?.value).toBeGreaterThan(0.8);
  // int8 is judged by top-1 agreement with scikit-learn and by accuracy against fp32.
  expect(byLabel.int8?.validation?.parity?.outputs.find((o) => o.name === 'probabilities')?.criterion).toBe('top-1 agreement ≥ 0.99');
  expect(byLabel.int8?.validation?.accuracy?.baseline).toBe(byLabel.fp32?.validation?.accuracy?.value);
  expect(result.candidates.filter((c) => c.selected)).toHaveLength(1);
  for (const c of result.candidates) expect(c.verdict).toMatch(/^(not )?selected: /);

  const store = new FsArtifactStore(storeDir);
  const graph = byLabel.graph?.artifact;
  const metadata = await readDocument(store, storeKeys.modelMetadata(graph?.digest ?? ''), modelMetadata);
  expect(metadata?.lineage).toMatchObject({ pass: 'graph', parentDigest: byLabel.fp32?.artifact?.digest, referenceDigest: result.conversion?.referenceDigest });
  expect(metadata?.lineage.toolVersions.onnxruntime).toBe('1.30.0');

  expect(result.report?.uri).toContain('reports/sklearn-iris/it-1/report.html');
  const html = Buffer.from((await store.get(result.report?.html ?? '')) ?? []).toString();
  expect(html).toContain('<svg');
  expect(html).toContain('selected: ');
  const json = JSON.parse(Buffer.from((await store.get(result.report?.json ?? '')) ?? []).toString());
  expect(json.candidates).toHaveLength(3);

  const response = await fetch(`${gateway.url}/v2/models/sklearn-iris/infer`, {
    method: 'POST',
    body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [2, 0, 0, 1] }] }),
  });
  const body = (await response.json()) as { outputs: { name: string; data: number[] }[] };
  expect(body.outputs.find((o) => o.name === 'label')?.data).toEqual([0]);
});

test('the PyTorch example is exported, optimized for the CPU, and the pick is justified by numbers', async () => {
  const spec = await loadPipelineSpec(path.join(PACKAGE_ROOT, 'examples/pytorch-cnn/pipeline.ts'), { version: 'it-1' });
  const result = await (await client.deploy(spec)).result();
  expect(result.outcome).toBe('promoted');
  const byLabel = Object.fromEntries(result.candidates.map((c) => [c.label, c]));
  expect(Object.keys(byLabel).sort()).toEqual(['fp32', 'graph', 'int8']);
  for (const c of result.candidates) expect(c.validation?.passed).toBe(true);
  expect(byLabel.int8?.validation?.parity?.outputs[0]?.criterion).toMatch(/top-1 agreement ≥ 0.99/);
  // A CNN gets static int8 (QDQ): on this 1.6k-weight model its Quantize/DequantizeLinear nodes weigh about what the int8 weights save.
  const int8Lineage = await readDocument(new FsArtifactStore(storeDir), storeKeys.modelMetadata(byLabel.int8?.artifact?.digest ?? ''), modelMetadata);
  expect(int8Lineage?.lineage.parameters).toMatchObject({ method: 'static', format: 'QDQ', calibration: { method: 'minmax' } });
  expect(byLabel.fp32?.validation?.accuracy?.value).toBeGreaterThan(0.9);
  const selected = result.candidates.find((c) => c.selected);
  expect(selected?.artifact?.digest).toBe(result.artifact?.digest);
  // A new deployment selects under the paired rule: a speed-up says which proof held.
  expect(selected?.verdict).toMatch(
    /^selected: (the fp32 conversion|as fast as fp32|fastest passing candidate \(p50 [\d.]+ ms, [\d.]+× fp32 latency, (settled measurements|99% interval [\d.]+–[\d.]+, paired runs)\))/,
  );
  for (const c of result.candidates.filter((x) => !x.selected)) expect(c.verdict).toMatch(/^not selected: /);
  // Each optimized copy is compared with the fp32 conversion from the same interleaved rounds.
  expect(byLabel.fp32?.benchmark?.vsConversion).toBeUndefined();
  for (const label of ['graph', 'int8']) {
    const v = byLabel[label]?.benchmark?.vsConversion;
    expect(v).toMatchObject({ label, digest: byLabel[label]?.artifact?.digest, batchSize: 1, confidence: 0.99 });
    expect(v?.samples).toBeGreaterThan(0);
    expect(v?.ratioLow).toBeLessThanOrEqual(v?.ratio ?? NaN);
    expect(v?.ratio).toBeLessThanOrEqual(v?.ratioHigh ?? NaN);
  }
  const batches = selected?.benchmark?.batches ?? [];
  expect(batches.map((b) => b.batchSize)).toEqual([1, 32]);
  expect(batches[0]?.runs).toBeGreaterThan(0);
  expect(selected?.benchmark?.runtime.executionProvider).toBe('cpu');
});

test('an IO-contract break is rejected with its diff, unless the spec allows it', async () => {
  expect((await (await client.deploy(onnxSpec('contract', 'v1', 'classifier'))).result()).outcome).toBe('promoted');
  const broken = await (await client.deploy(onnxSpec('contract', 'v2', 'embedding'))).result();
  expect(broken.outcome).toBe('rejected');
  expect(broken.failure?.type).toBe('IoContractBroken');
  expect(broken.failure?.message).toMatch(
    /breaks the IO contract of stable v1: input features \(FP32 \[-1, 4\]\) was removed; new required input token_ids \(INT64 \[-1, 8\]\); output probabilities \(FP32 \[-1, 3\]\) was removed/,
  );
  expect(broken.validation?.ioContract?.breaking.map((b) => b.kind)).toEqual(['missing-input', 'extra-input', 'missing-output', 'missing-output']);

  const allowed = await (
    await client.deploy({ ...onnxSpec('contract', 'v3', 'embedding'), stages: { ...quick, validate: { allowBreakingChanges: true } } })
  ).result();
  expect(allowed.outcome).toBe('promoted');
});

test('a candidate much slower than the stable version is rejected by the benchmark gate', async () => {
  expect((await (await client.deploy(onnxSpec('gate', 'v1', 'classifier'))).result()).outcome).toBe('promoted');
  const slow = await (
    await client.deploy({
      ...onnxSpec('gate', 'v2', 'mlp_bench'),
      // ~5× slower but by only ~0.05 ms: with no absolute floor, the interval alone decides.
      stages: { ...quick, validate: { allowBreakingChanges: true }, benchmark: { windowRuns: 5, budget: '1s', maxRegressionPercent: 10, minRegressionMs: 0 } },
    })
  ).result();
  expect(slow.outcome).toBe('rejected');
  expect(slow.failure?.type).toBe('BenchmarkRegressed');
  expect(slow.failure?.message).toMatch(
    /^fp32 is \d+\.\d% \([\d.]+ ms\) slower than stable v1 \(median [\d.]+ ms vs [\d.]+ ms over \d+ interleaved runs each; ratio [\d.]+, 99% interval [\d.]+–[\d.]+; at most 10% or 0 ms allowed\)$/,
  );
  expect(slow.benchmarks[0]?.baseline?.label).toBe('stable v1');
  expect(slow.benchmarks[0]?.gate).toMatchObject({ candidate: 'fp32', stable: 'stable v1', gated: true, regressed: true });
});

test('with the benchmark on, a redeployment of the stable artifact is not gated, and a clearly slower model is refused', async () => {
  const benchmarked = { ...quick, benchmark: { ...quick.benchmark, enabled: true } };
  expect((await (await client.deploy(onnxSpec('same', 'v1', 'classifier', { stages: benchmarked }))).result()).outcome).toBe('promoted');
  const again = await (await client.deploy(onnxSpec('same', 'v2', 'classifier', { stages: benchmarked }))).result();
  expect(again.outcome).toBe('promoted');
  const report = again.benchmarks[0];
  expect(report?.baseline?.digest).toBe(again.artifact?.digest);
  expect(report?.comparisons?.[0]).toMatchObject({ label: 'fp32', digest: again.artifact?.digest });
  expect(report?.gate).toEqual({
    candidate: 'fp32',
    stable: 'stable v1',
    gated: false,
    regressed: false,
    verdict: expect.stringMatching(/^same artifact as stable v1 \([0-9a-f]{12}\): not gated$/),
  });
  expect(again.stages.find((st) => st.name === 'benchmark')?.summary).toMatch(/\(stable v1 p50 [\d.]+ ms\); gate: same artifact as stable v1 .*: not gated$/);

  // Same answers, ~10M extra multiply-adds per row: far beyond 10% and 0.05 ms slower.
  const slow = await (await client.deploy(onnxSpec('same', 'v3', 'classifier_slow', { stages: benchmarked }))).result();
  expect(slow.outcome).toBe('rejected');
  expect(slow.failure?.type).toBe('BenchmarkRegressed');
  expect(slow.failure?.message).toMatch(/^fp32 is \d+\.\d% \([\d.]+ ms\) slower than stable v2 \(median /);
  expect(slow.benchmarks[0]?.gate?.regressed).toBe(true);
});

test('a GPU stage with no GPU worker fails clearly after its schedule-to-start timeout', async () => {
  // `fail`: an infrastructure failure fails at once (by default the stage would wait for an operator's retry).
  const input: PipelineSpecInput = {
    ...onnxSpec('gpu-none', 'v1', 'classifier'),
    targets: ['gpu'],
    scheduleToStartTimeout: '2s',
    onInfrastructureFailure: 'fail',
  };
  const result = await (await client.deploy(input)).result();
  expect(result.outcome).toBe('failed');
  expect(result.failure).toMatchObject({ type: 'InfrastructureError', stage: 'validate' });
  expect(result.failure?.message).toMatch(/no worker picked up the validate stage in time \(activity validateCandidate\).*modelship-gpu/);
});

test('the GPU worker refuses to start without a GPU, and when forced, GPU stages name what they tried', async () => {
  const entry = tsEntry('workers/gpu.ts');
  const refused = await ManagedProcess.start({ name: 'gpu-worker', ...entry, env: processEnv(storeDir), cwd: PACKAGE_ROOT });
  expect(await refused.wait()).toBe(1);
  expect(refused.recentOutput()).toMatch(/no GPU execution provider is available on this worker; tried tensorrt\+cuda \(.*\), cuda \(.*\)/);

  const forced = await ManagedProcess.start({
    name: 'gpu-worker',
    ...entry,
    env: processEnv(storeDir, { MODELSHIP_GPU_ALLOW_MISSING: '1' }),
    cwd: PACKAGE_ROOT,
    readyPattern: /modelship gpu worker ready/,
    readyTimeoutMs: 60_000,
  });
  try {
    const result = await (await client.deploy({ ...onnxSpec('gpu-missing', 'v1', 'classifier'), targets: ['gpu'] })).result();
    expect(result.outcome).toBe('rejected');
    expect(result.failure?.type).toBe('NoGpuExecutionProvider');
    expect(result.failure?.message).toMatch(/tried tensorrt\+cuda \(.*\), cuda \(/);
  } finally {
    await forced.stop();
  }
});
