/**
 * More places and formats models come from, over the real stack (dev server, CPU worker and gateway
 * processes, a real MLflow tracking server): the XGBoost and LightGBM examples converted with
 * onnxmltools, judged against the framework's own predictions and promoted (LightGBM's format read
 * from the file); a corrupt XGBoost file refused; a scikit-learn model a training job registered in
 * MLflow with its defaults (a skops archive) deployed by alias with its lineage recorded; a skops
 * archive with an untrusted type refused; an unknown alias refused with its name.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../cli/dev/ports';
import { PACKAGE_ROOT, venvTool } from '../../cli/dev/projectPaths';
import type { PipelineSpecInput } from '../../sdk/schemas';
import { modelMetadata } from '../../sdk/schemas';
import { loadPipelineSpec } from '../../sdk/specFile';
import { FsArtifactStore, readDocument, storeKeys } from '../../store';
import { mlflowUri, registerSklearnModel, startMlflowServer, type MlflowServer } from '../support/mlflowServer';
import { startStack, type Stack } from '../support/stack';
import { exampleFile, tempDir } from '../support/testEnv';

let stack: Stack;
let mlflowServer: MlflowServer | undefined;
/**
 * The MLflow server with a model registered in it, awaited only by the tests that read the registry:
 * it starts (~15-35 s, and the registration ~10 s) while the tests before them convert files.
 */
let registry: Promise<{ mlflow: MlflowServer; registered: { runId: string; version: string } }>;

beforeAll(async () => {
  // The worker reads the registry only when a deployment asks: it starts before the tracking server is up.
  const port = await freePort();
  registry = startMlflowServer(port).then(async (mlflow) => {
    mlflowServer = mlflow;
    return { mlflow, registered: await registerSklearnModel(mlflow.uri, 'churn-classifier', 'champion') };
  });
  registry.catch(() => undefined); // reported by the tests that await it
  stack = await startStack('store-sources', {}, { MLFLOW_TRACKING_URI: mlflowUri(port) });
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  await registry?.catch(() => undefined);
  await mlflowServer?.stop();
});

const quick = { optimize: { enabled: false }, benchmark: { enabled: false } } as const;
const features = (): NonNullable<PipelineSpecInput['model']['inputs']> => [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }];

async function infer(endpoint: string): Promise<number[] | undefined> {
  const response = await fetch(`${stack.gateway.url}/v2/models/${endpoint}/infer`, {
    method: 'POST',
    body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [2, 0, 0, 1] }] }),
  });
  const body = (await response.json()) as { outputs: { name: string; data: number[] }[] };
  return body.outputs.find((o) => o.name === 'label')?.data;
}

test.each([
  ['xgboost', 'xgboost-classifier', 'xgboost-iris'],
  ['lightgbm', 'lightgbm-classifier', 'lightgbm-iris'],
])('the %s example is converted with onnxmltools, judged against its framework, and promoted', async (framework, folder, endpoint) => {
  const spec = await loadPipelineSpec(path.join(PACKAGE_ROOT, `examples/${folder}/pipeline.yaml`), { version: 'it-1' });
  const result = await (await stack.client.deploy(spec)).result();
  expect(result.outcome).toBe('promoted');
  expect(result.source?.format).toBe(framework); // declared for XGBoost, read from the file for LightGBM
  expect(result.conversion?.io.outputs.map((o) => [o.name, o.shape])).toEqual([
    ['label', [-1]],
    ['probabilities', [-1, 3]],
  ]);
  expect(result.conversion?.toolVersions).toMatchObject({ [framework]: expect.any(String), onnxmltools: '1.16.0' });
  const fp32 = result.candidates.find((c) => c.label === 'fp32');
  expect(fp32?.validation?.parity?.outputs.map((o) => [o.name, o.passed])).toEqual([
    ['label', true],
    ['probabilities', true],
  ]);
  expect(fp32?.validation?.accuracy?.value).toBeGreaterThan(0.8);
  expect(await infer(endpoint)).toEqual([0]);
});

test('a corrupt XGBoost file is refused with what is wrong', async () => {
  const file = path.join(await tempDir('corrupt-xgboost'), 'model.json');
  await writeFile(file, (await readFile(exampleFile('xgboost_classifier.json'))).subarray(0, 4000));
  const spec: PipelineSpecInput = {
    endpoint: 'xgboost-corrupt',
    version: 'v1',
    model: { source: file, format: 'xgboost', inputs: features() },
    stages: quick,
  };
  const result = await (await stack.client.deploy(spec)).result();
  expect(result.outcome).toBe('rejected');
  expect(result.failure?.type).toBe('ModelUnloadable');
  expect(result.failure?.message).toMatch(/^not a valid XGBoost model: /);
});

test('a scikit-learn model registered in MLflow is deployed by its alias, with its registry lineage', async () => {
  const { mlflow, registered } = await registry;
  const spec: PipelineSpecInput = {
    endpoint: 'churn',
    version: 'v1',
    model: { source: 'models:/churn-classifier@champion', task: 'classifier', scoreOutput: 'probabilities', inputs: features() },
    stages: quick,
  };
  const result = await (await stack.client.deploy(spec)).result();
  expect(result.outcome).toBe('promoted');
  const lineage = {
    trackingUri: mlflow.uri,
    name: 'churn-classifier',
    version: registered.version,
    alias: 'champion',
    runId: registered.runId,
    sourceUri: expect.stringMatching(/^models:\/m-/),
    artifactUri: expect.stringMatching(/^mlflow-artifacts:\//),
    flavour: 'sklearn',
    file: 'model.skops', // MLflow 3's default serialization
  };
  expect(result.source).toMatchObject({ format: 'sklearn', registry: lineage });
  expect(result.conversion?.toolVersions).toMatchObject({ skops: '0.16.0' });
  const metadata = await readDocument(new FsArtifactStore(stack.storeDir), storeKeys.modelMetadata(result.artifact?.digest ?? ''), modelMetadata);
  expect(metadata?.lineage).toMatchObject({ source: 'models:/churn-classifier@champion', parameters: { format: 'sklearn', registry: lineage } });
  expect(await infer('churn')).toEqual([0]);
});

test('a skops archive is read as scikit-learn; one that would construct an untrusted type is refused, naming it', async () => {
  const file = path.join(await tempDir('untrusted-skops'), 'model.skops');
  const script = 'import sys, fractions, skops.io; skops.io.dump({"coef": fractions.Fraction(1, 3)}, sys.argv[1])';
  await promisify(execFile)(venvTool('python'), ['-c', script, file]);
  const spec: PipelineSpecInput = { endpoint: 'skops-untrusted', version: 'v1', model: { source: file, inputs: features() }, stages: quick };
  const result = await (await stack.client.deploy(spec)).result();
  expect(result.outcome).toBe('rejected');
  expect(result.source?.format).toBe('sklearn'); // a zip, but not PyTorch
  expect(result.failure).toMatchObject({
    type: 'ModelUnloadable',
    message: expect.stringMatching(/^the skops archive would construct types Modelship does not trust: fractions\.Fraction \(trusted: /),
  });
});

test('an alias the registry does not know is refused with its name', async () => {
  const { mlflow } = await registry;
  const spec: PipelineSpecInput = {
    endpoint: 'churn-missing',
    version: 'v1',
    model: { source: 'models:/churn-classifier@challenger', inputs: features() },
    stages: quick,
  };
  const result = await (await stack.client.deploy(spec)).result();
  expect(result.outcome).toBe('rejected');
  expect(result.failure?.type).toBe('ModelSourceUnreadable');
  expect(result.failure?.message).toContain(`models:/churn-classifier@challenger is not in the MLflow registry at ${mlflow.uri} (`);
});
