/**
 * The int8 pass over the real stack (dev server, CPU worker and gateway processes, onnxruntime's
 * quantizer): static QDQ int8 of a CNN sized like production's (pytorch_cnn64) calibrated on its own
 * `.npz` set, validated on a separate evaluation set, selected and served end to end, its lineage saying
 * how it was made; and a CNN whose weights are not plain initializers (Paddle-like exports) gets an int8
 * candidate after pre-processing, by the static and the dynamic path.
 */
import { pathToFileURL } from 'node:url';
import { type ModelshipClient } from '../../sdk/client';
import { modelMetadata, routingDocument, type Candidate, type PipelineSpecInput } from '../../sdk/schemas';
import { FsArtifactStore, readDocument, storeKeys } from '../../store';
import { exampleFile, modelPath } from '../support/testEnv';
import { startStack, type Stack } from '../support/stack';

let stack: Stack;
let client: ModelshipClient;

beforeAll(async () => {
  stack = await startStack('store-int8');
  ({ client } = stack);
});

afterAll(() => stack?.stop());

async function lineageOf(candidate: Candidate | undefined) {
  const metadata = await readDocument(new FsArtifactStore(stack.storeDir), storeKeys.modelMetadata(candidate?.artifact?.digest ?? ''), modelMetadata);
  return metadata?.lineage;
}

test('static int8 of a CNN sized like production, calibrated on its own .npz set, is validated on the evaluation set, selected and served', async () => {
  const model: PipelineSpecInput['model'] = { source: pathToFileURL(exampleFile('pytorch_cnn64.pt2')).href, format: 'pytorch', task: 'classifier' };
  model.inputs = [{ name: 'x', datatype: 'FP32', shape: [-1, 3, 64, 64] }];
  const spec: PipelineSpecInput = {
    endpoint: 'cnn64-int8',
    version: 'int8-1',
    model,
    stages: {
      convert: { opset: 18, golden: { source: pathToFileURL(exampleFile('pytorch_cnn64_eval.npz')).href } },
      optimize: {
        passes: { cpu: ['int8'] },
        // Its own calibration rows, apart from the evaluation set it is judged on.
        int8: { method: 'auto', calibration: { method: 'entropy', samples: 48, source: pathToFileURL(exampleFile('pytorch_cnn64_calibration.npz')).href } },
      },
      // Six convolutions sum in another order in PyTorch and onnxruntime: logits of magnitude ~10 differ by ~6e-5.
      validate: {
        tolerances: { linear: { atol: 1e-4, rtol: 1e-4 } },
        evaluation: { source: pathToFileURL(exampleFile('pytorch_cnn64_eval.npz')).href, labels: 'labels', maxAccuracyDrop: 0.02 },
      },
      // Small, and loose about stability: four engineers' tests share these cores, and a ~3x margin needs no fine measurement.
      benchmark: { batchSizes: [1], windowRuns: 20, stabilityTolerance: 0.5, budget: '5s' },
    },
    rollout: { strategy: 'direct', timeout: '60s' },
  };
  const result = await (await client.deploy(spec)).result();
  expect(result.failure).toBeUndefined();
  expect(result.outcome).toBe('promoted');
  const byLabel = Object.fromEntries(result.candidates.map((c) => [c.label, c]));
  expect(Object.keys(byLabel).sort()).toEqual(['fp32', 'int8']);
  const int8 = byLabel.int8;
  // Judged as every int8 copy: top-1 agreement with PyTorch, accuracy on the evaluation set against fp32.
  expect({ passed: int8?.validation?.passed, reasons: int8?.validation?.reasons }).toEqual({ passed: true, reasons: [] });
  expect(int8?.validation?.parity?.outputs[0]?.criterion).toMatch(/top-1 agreement ≥ 0.99/);
  expect(int8?.validation?.accuracy?.baseline).toBe(byLabel.fp32?.validation?.accuracy?.value);
  expect((await lineageOf(int8))?.parameters).toMatchObject({
    method: 'static',
    methodChoice: expect.stringMatching(/^auto: 6 convolution\(s\), 1 MatMul\/Gemm: /),
    format: 'QDQ',
    activationType: 'QUInt8',
    weightType: 'QInt8',
    perChannel: true,
    // The mean over the feature maps (AdaptiveAvgPool2d) exports as a ReduceMean: made the pooling op int8 has a kernel for.
    preprocessing: [expect.stringMatching(/^quant_pre_process/), '1 spatial mean(s) (ReduceMean over axes 2, 3) made GlobalAveragePool'],
    calibration: {
      method: 'entropy',
      rows: 48,
      source: expect.stringMatching(/^stages\.optimize\.int8\.calibration\.source /),
    },
  });

  // Selected and served. Static int8 of this CNN measured about 0.3x fp32's p50 here (one thread): against the 5%
  // the selection asks for, the margin (~3x) makes this a product decision the test pins, not a timing assertion.
  expect({ selected: int8?.selected, verdict: int8?.verdict }).toEqual({ selected: true, verdict: expect.stringMatching(/^selected: /) });
  expect(result.artifact?.digest).toBe(int8?.artifact?.digest);
  const routing = await readDocument(new FsArtifactStore(stack.storeDir), storeKeys.routing('cnn64-int8'), routingDocument);
  expect(routing?.versions.find((v) => v.version === 'int8-1')?.digest).toBe(int8?.artifact?.digest);
  // A horizontal bar (class 1 of the example's data) is answered as one.
  const image = new Array<number>(3 * 64 * 64).fill(0).map((_, i) => (Math.floor((i % 4096) / 64) >= 16 && Math.floor((i % 4096) / 64) < 32 ? 1.5 : 0));
  const response = await fetch(`${stack.gateway.url}/v2/models/cnn64-int8/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3, 64, 64], data: image }] }),
  });
  expect(response.status).toBe(200);
  const answer = (await response.json()) as { model_version?: string; outputs: { data: number[] }[] };
  const logits = answer.outputs[0]?.data ?? [];
  expect(logits.indexOf(Math.max(...logits))).toBe(1);
});

// The failing path was dynamic int8 ("Expected conv2d_1.w_0 to be an initializer"); static has the same pre-processing.
test.each([
  ['static', 'inputs drawn'],
  ['dynamic', undefined],
] as const)('a CNN whose weights are Constant nodes and Identity of initializers gets a %s int8 candidate', async (method, calibrated) => {
  const result = await (
    await client.deploy({
      endpoint: `paddle-like-${method}`,
      version: 'v1',
      model: { source: pathToFileURL(modelPath('cnn_constant_weights')).href, task: 'classifier' },
      stages: { optimize: { passes: { cpu: ['int8'] }, int8: { method } }, benchmark: { batchSizes: [1], windowRuns: 5, budget: '1s' } },
      rollout: { strategy: 'direct', timeout: '30s' },
    })
  ).result();
  expect(result.outcome).toBe('promoted');
  const int8 = result.candidates.find((c) => c.label === 'int8');
  expect(int8?.skipped).toBeUndefined();
  expect(int8?.artifact).toBeDefined();
  expect(int8?.validation).toBeDefined();
  expect(int8?.verdict).toMatch(/^(not )?selected: /);
  const lineage = await lineageOf(int8);
  expect(lineage?.parameters).toMatchObject({
    method,
    preprocessing: ['constant folding: 5 weight(s) made initializers', expect.stringMatching(/^quant_pre_process/)],
  });
  if (calibrated) {
    expect(lineage?.parameters).toMatchObject({
      calibration: { method: 'minmax', rows: 64, source: expect.stringMatching(/^inputs drawn from the model's signature, seed 1: image \[64,3,16,16\]/) },
    });
  } else {
    expect(lineage?.parameters).toMatchObject({ weightType: 'QInt8', perChannel: false });
  }
});
