/**
 * The transformer pass over the real stack (dev server, CPU worker and gateway processes, onnxruntime's
 * transformer optimizer in the Python tool): a PyTorch transformer encoder layer gets a fused candidate
 * (and a fused int8 one), validated, benchmarked and judged like every candidate, and fp16 for the CPU
 * alone makes a candidate or is skipped with the reason (its CPU session crashes onnxruntime); a model without
 * attention reports the pass skipped, with its reason, in the result, the optimize summary and the report.
 */
import { pathToFileURL } from 'node:url';
import { FsArtifactStore, readDocument, storeKeys } from '../../store';
import { modelMetadata, type PipelineSpecInput } from '../../sdk/schemas';
import { exampleFile, modelPath } from '../support/testEnv';
import { startStack, type Stack } from '../support/stack';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack('store-transformer');
});

afterAll(() => stack?.stop());

const quickBenchmark = { windowRuns: 5, budget: '1s' } as const;

test('a transformer model gets fused candidates, judged like the others', async () => {
  const spec: PipelineSpecInput = {
    endpoint: 'tiny-transformer',
    version: 'it-1',
    model: {
      source: pathToFileURL(exampleFile('pytorch_transformer.pt2')).href,
      format: 'pytorch',
      inputs: [{ name: 'src', datatype: 'FP32', shape: [-1, 8, 32] }],
    },
    stages: {
      convert: { opset: 18, golden: { samples: 16 } },
      optimize: { passes: { cpu: ['transformer', 'transformer-int8', 'fp16'] } },
      benchmark: quickBenchmark,
    },
    rollout: { strategy: 'direct', timeout: '30s' },
  };
  const result = await (await stack.client.deploy(spec)).result();
  expect(result.outcome).toBe('promoted');
  const byLabel = Object.fromEntries(result.candidates.map((c) => [c.label, c]));
  expect(Object.keys(byLabel).sort()).toEqual(['fp16', 'fp32', 'transformer', 'transformer-int8']);
  const fused = byLabel.transformer;
  expect(fused?.skipped).toBeUndefined();
  expect(fused?.validation?.passed).toBe(true);
  expect(fused?.validation?.parity?.outputs[0]?.criterion).toBe('every element within atol 0.0001 + rtol 0.001');
  expect(byLabel['transformer-int8']?.validation?.parity?.outputs[0]?.criterion).toMatch(/^RMS error ≤ 1% of the reference's/);
  // fp16 for the CPU alone: a candidate, or (where its session crashes onnxruntime, a bug of onnxruntime's today) skipped with the reason.
  const fp16 = byLabel.fp16;
  if (fp16?.skipped === undefined) expect(fp16?.artifact).toBeDefined();
  else expect(fp16.skipped).toMatch(/^the fp16 copy crashes onnxruntime's CPU session creation \(.+\); fp16 is for GPU targets$/);
  for (const c of result.candidates.filter((x) => !x.skipped)) {
    expect(c.verdict).toMatch(/^(not )?selected: /);
    if (c.validation?.passed) expect(c.benchmark?.batches[0]?.runs).toBeGreaterThan(0);
  }
  expect(result.candidates.filter((c) => c.selected)).toHaveLength(1);

  // What was fused is in the lineage: the encoder layer's packed attention became one Attention node.
  const metadata = await readDocument(new FsArtifactStore(stack.storeDir), storeKeys.modelMetadata(fused?.artifact?.digest ?? ''), modelMetadata);
  expect(metadata?.lineage).toMatchObject({ pass: 'transformer', parentDigest: byLabel.fp32?.artifact?.digest });
  expect(metadata?.lineage.parameters).toMatchObject({ modelType: 'bert', attentionBlocks: 1, packedAttention: 1, fused: { Attention: 1 } });
});

test('a model without attention reports the transformer pass skipped, with its reason', async () => {
  const spec: PipelineSpecInput = {
    endpoint: 'no-attention',
    version: 'it-1',
    model: { source: pathToFileURL(modelPath('classifier')).href },
    stages: { optimize: { passes: { cpu: ['graph', 'transformer'] } }, benchmark: quickBenchmark },
    rollout: { strategy: 'direct', timeout: '30s' },
  };
  const result = await (await stack.client.deploy(spec)).result();
  expect(result.outcome).toBe('promoted');
  const skipped = result.candidates.find((c) => c.pass === 'transformer');
  expect(skipped?.artifact).toBeUndefined();
  expect(skipped?.skipped).toMatch(/^no attention block \(MatMul → Softmax → MatMul\) in the graph/);
  expect(skipped?.verdict).toBe(`skipped: ${skipped?.skipped}`);
  expect(result.candidates.find((c) => c.pass === 'graph')?.artifact).toBeDefined();
  expect(result.stages.find((s) => s.name === 'optimize')?.summary).toContain('transformer skipped (no attention block');

  const store = new FsArtifactStore(stack.storeDir);
  const html = Buffer.from((await store.get(result.report?.html ?? '')) ?? []).toString();
  expect(html).toContain('<h2>Skipped passes</h2><ul><li><b>transformer</b> (cpu): no attention block');
});
