/**
 * The int8 pass over the real stack (dev server, CPU worker and gateway processes, onnxruntime's
 * quantizer): static QDQ int8 of the PyTorch CNN example calibrated on an `.npz` set, validated on
 * the example's evaluation set and promoted end to end, its lineage saying how it was made; and a
 * CNN whose weights are not plain initializers (Paddle-like exports) gets an int8 candidate after
 * pre-processing.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../../cli/dev/projectPaths';
import { type ModelshipClient } from '../../sdk/client';
import { modelMetadata, type Candidate, type PipelineSpec } from '../../sdk/schemas';
import { loadPipelineSpec } from '../../sdk/specFile';
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

test('static int8 of the CNN example, calibrated on an .npz set, passes validation on the evaluation set and is promoted', async () => {
  const example = await loadPipelineSpec(path.join(PACKAGE_ROOT, 'examples/pytorch-cnn/pipeline.ts'), { version: 'int8-1' });
  const spec: PipelineSpec = {
    ...example,
    endpoint: 'cnn-int8',
    stages: {
      ...example.stages,
      convert: { ...example.stages.convert, golden: { ...example.stages.convert.golden, samples: 32 } },
      optimize: {
        ...example.stages.optimize,
        passes: { cpu: ['int8'], gpu: [] },
        int8: {
          method: 'auto',
          perChannel: true,
          // Its own calibration rows, apart from the evaluation set it is judged on.
          calibration: { method: 'entropy', samples: 48, source: pathToFileURL(exampleFile('pytorch_calibration.npz')).href },
        },
      },
      benchmark: { ...example.stages.benchmark, batchSizes: [1], windowRuns: 10, budget: 2000 },
    },
  };
  const result = await (await client.deploy(spec)).result();
  expect(result.failure).toBeUndefined();
  expect(result.outcome).toBe('promoted');
  const byLabel = Object.fromEntries(result.candidates.map((c) => [c.label, c]));
  expect(Object.keys(byLabel).sort()).toEqual(['fp32', 'int8']);
  const int8 = byLabel.int8;
  // Judged as every int8 copy: top-1 agreement with PyTorch, accuracy on the evaluation set against fp32.
  expect(int8?.validation?.passed).toBe(true);
  expect(int8?.validation?.parity?.outputs[0]?.criterion).toMatch(/top-1 agreement ≥ 0.99/);
  expect(int8?.validation?.accuracy?.baseline).toBe(byLabel.fp32?.validation?.accuracy?.value);

  expect((await lineageOf(int8))?.parameters).toMatchObject({
    method: 'static',
    methodChoice: expect.stringMatching(/^auto: 1 convolution\(s\), 1 MatMul\/Gemm: /),
    format: 'QDQ',
    activationType: 'QUInt8',
    weightType: 'QInt8',
    perChannel: true,
    preprocessing: [expect.stringMatching(/^quant_pre_process/)],
    calibration: { method: 'entropy', rows: 48, source: expect.stringMatching(/^stages\.optimize\.int8\.calibration\.source /) },
  });

  // Selected only when the benchmark shows it faster; its verdict says which, either way.
  expect(int8?.selected).toBe(result.artifact?.digest === int8?.artifact?.digest);
  expect(int8?.verdict).toMatch(int8?.selected ? /^selected: / : /^not selected: (slower than fp32|less than 5% faster|its measurement)/);
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
