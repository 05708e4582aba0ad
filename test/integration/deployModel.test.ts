/**
 * The foundation end to end: a real Temporal dev server, the CPU worker and a gateway as child
 * processes, the filesystem store. Deployed models must answer over KServe v2 exactly as
 * onnxruntime does in-process; bad models must be rejected, non-retryably, with the reason.
 */
import { pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { ModelshipClient } from '../../sdk/client';
import { SEARCH_ATTRIBUTES } from '../../sdk/names';
import { EndpointNotFoundError } from '../../sdk/errors';
import type { PipelineSpecInput } from '../../sdk/schemas';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { inferHttp, inferInProcess } from '../support/inference';
import { modelPath, startGatewayProcess, startWorkerProcess, tempDir, testEnv } from '../support/testEnv';

let worker: ManagedProcess;
let gateway: { process: ManagedProcess; url: string };
let client: ModelshipClient;
let temporal: Client;
let connection: Connection;

beforeAll(async () => {
  const store = await tempDir('store-deploy');
  [worker, gateway] = await Promise.all([startWorkerProcess(store), startGatewayProcess(store)]);
  client = await ModelshipClient.connect({ address: testEnv('temporalAddress'), store });
  connection = await Connection.connect({ address: testEnv('temporalAddress') });
  temporal = new Client({ connection });
});

afterAll(async () => {
  await client?.close();
  await connection?.close();
  await Promise.all([worker?.stop(), gateway?.process.stop()]);
});

function spec(endpoint: string, version: string, model: Parameters<typeof modelPath>[0]): PipelineSpecInput {
  return {
    endpoint,
    version,
    model: { source: pathToFileURL(modelPath(model)).href },
    stages: { optimize: { enabled: false }, benchmark: { windowRuns: 5, budget: '1s' } },
    rollout: { strategy: 'direct', timeout: '30s' },
  };
}

test('a classifier is promoted and the gateway answers exactly as onnxruntime in-process', async () => {
  const deployment = await client.deploy(spec('iris', 'v1', 'classifier'));
  expect(deployment.workflowId).toBe('deploy/iris/v1');
  const result = await deployment.result();

  expect(result.outcome).toBe('promoted');
  expect(result.stages.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
  expect(result.validation?.io.inputs).toEqual([{ name: 'features', datatype: 'FP32', shape: [-1, 4] }]);
  expect(result.validation?.parity?.outputs.every((o) => o.passed && o.maxAbsError === 0)).toBe(true);
  expect(result.candidates).toEqual([expect.objectContaining({ label: 'fp32', selected: true })]);
  expect(result.benchmarks[0]?.candidates[0]?.batches[0]?.latencyMs.p50).toBeGreaterThan(0);
  expect(result.release?.replicas).toHaveLength(1);

  const description = await temporal.workflow.getHandle('deploy/iris/v1').describe();
  expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.phase)).toBe('Promoted');
  expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.endpoint)).toBe('iris');
  expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.version)).toBe('v1');

  const metadata = await (await fetch(`${gateway.url}/v2/models/iris`)).json();
  expect(metadata).toEqual({
    name: 'iris',
    versions: ['v1'],
    platform: 'onnxruntime_onnx',
    inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
    outputs: [
      { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
      { name: 'label', datatype: 'INT64', shape: [-1] },
    ],
  });

  const features = [0.1, -0.4, 1.5, 2.0, -1.2, 0.3, 0.0, 0.7, 3.1, -2.2, 0.5, 0.5];
  const { status, body } = await inferHttp(gateway.url, 'iris', [{ name: 'features', datatype: 'FP32', shape: [3, 4], data: features }]);
  expect(status).toBe(200);
  expect(body.model_version).toBe('v1');
  const expected = await inferInProcess(modelPath('classifier'), {
    features: { datatype: 'FP32', shape: [3, 4], data: Float32Array.from(features) },
  });
  const probabilities = body.outputs?.find((o) => o.name === 'probabilities');
  const label = body.outputs?.find((o) => o.name === 'label');
  expect(probabilities?.shape).toEqual([3, 3]);
  expect(probabilities?.data).toEqual(Array.from(expected.probabilities?.data as Float32Array));
  expect(label).toEqual({ name: 'label', datatype: 'INT64', shape: [3], data: Array.from(expected.label?.data as BigInt64Array, Number) });
});

test('an INT64-input model is served with INT64 tensors in and FP32 out', async () => {
  const result = await (await client.deploy(spec('tokens', 'v1', 'embedding'))).result();
  expect(result.outcome).toBe('promoted');
  const ids = [1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 9, 9, 9, 9, 1, 1];
  const { status, body } = await inferHttp(gateway.url, 'tokens', [
    { name: 'token_ids', datatype: 'INT64', shape: [2, 8], data: [ids.slice(0, 8), ids.slice(8)] },
  ]);
  expect(status).toBe(200);
  const expected = await inferInProcess(modelPath('embedding'), {
    token_ids: { datatype: 'INT64', shape: [2, 8], data: BigInt64Array.from(ids.map(BigInt)) },
  });
  expect(body.outputs?.[0]).toEqual({ name: 'embedding', datatype: 'FP32', shape: [2, 4], data: Array.from(expected.embedding?.data as Float32Array) });
});

test('a corrupt model is rejected at validation, non-retryably, and the endpoint keeps serving', async () => {
  const before = await (await client.deploy(spec('guarded', 'v1', 'classifier'))).result();
  expect(before.outcome).toBe('promoted');

  const result = await (await client.deploy(spec('guarded', 'v2', 'corrupt'))).result();
  expect(result.outcome).toBe('rejected');
  expect(result.phase).toBe('Rejected');
  expect(result.failure).toMatchObject({ type: 'ModelUnloadable', stage: 'convert' });
  expect(result.failure?.message).toMatch(/not a valid ONNX model: .*(Error parsing message|Wire format was corrupt)/i);
  expect(result.stages.map((s) => s.status)).toEqual(['succeeded', 'failed', 'skipped', 'skipped', 'skipped', 'skipped']);

  // Non-retryable: exactly one attempt of the convert activity, failed with nonRetryable set.
  const history = await temporal.workflow.getHandle('deploy/guarded/v2').fetchHistory();
  const failures = (history.events ?? []).filter((e) => e.activityTaskFailedEventAttributes);
  expect(failures).toHaveLength(1);
  const failure = failures[0]?.activityTaskFailedEventAttributes?.failure;
  expect(failure?.applicationFailureInfo?.nonRetryable).toBe(true);
  expect(failure?.applicationFailureInfo?.type).toBe('ModelUnloadable');
  const started = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes);
  expect(started.every((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) === 1)).toBe(true);

  const description = await temporal.workflow.getHandle('deploy/guarded/v2').describe();
  expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.phase)).toBe('Rejected');

  const { status, body } = await inferHttp(gateway.url, 'guarded', [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }]);
  expect(status).toBe(200);
  expect(body.model_version).toBe('v1');
});

test('a model producing NaN is rejected with the outputs named', async () => {
  const result = await (await client.deploy(spec('nan', 'v1', 'nan'))).result();
  expect(result.outcome).toBe('rejected');
  expect(result.failure).toMatchObject({ type: 'ModelValidationFailed', stage: 'validate' });
  expect(result.failure?.message).toMatch(/NaN or Inf on synthetic inputs: y \(\d+ values\)/);
  expect(result.validation?.parity?.outputs[0]).toMatchObject({ name: 'y', passed: false });
});

test('a missing model source is refused by the client before anything starts, and rejected at ingest when a worker reads it', async () => {
  const missing = { ...spec('missing', 'v1', 'classifier'), model: { source: 'file:///nonexistent/model.onnx' } };
  await expect(client.deploy(missing)).rejects.toThrow(/model\.source: \/nonexistent\/model\.onnx does not exist/);
  await expect(client.endpoint('missing').status()).rejects.toThrow(EndpointNotFoundError);
  // Started without the client's upload, the worker reads the file itself and finds nothing.
  const result = await (await client.deployDirect(missing)).result();
  expect(result.outcome).toBe('rejected');
  expect(result.failure).toMatchObject({ type: 'ModelSourceUnreadable', stage: 'ingest' });
  expect(result.failure?.message).toContain('/nonexistent/model.onnx');
});

test('status answers while running and after completion', async () => {
  const deployment = await client.deploy(spec('status', 'v1', 'classifier'));
  const seen: string[] = [];
  const result = await deployment.follow((s) => seen.push(s.phase), 100);
  expect(result.outcome).toBe('promoted');
  expect(seen.at(-1)).toBe('Promoted');
  expect((await client.deployment('deploy/status/v1').status()).phase).toBe('Promoted');
});

test('a direct release that cannot be applied everywhere returns the endpoint to the stable version it holds', async () => {
  expect((await (await client.deploy(spec('partial', 'v1', 'classifier'))).result()).outcome).toBe('promoted');
  const perturbed = spec('partial', 'v2', 'classifier_perturbed');
  const tooMany: PipelineSpecInput = {
    ...perturbed,
    // A different model: its change of behaviour is accepted, so that it reaches the release.
    stages: { ...perturbed.stages, validate: { behaviour: { acceptChange: 'the release is under test' } } },
    rollout: { strategy: 'direct', timeout: '1500ms', minReplicas: 3 },
  };
  const result = await (await client.deploy(tooMany)).result();

  expect(result.outcome).toBe('failed');
  expect(result.failure).toMatchObject({ type: 'ReleaseTimedOut', stage: 'release' });
  expect(result.failure?.message).toMatch(
    /1 live gateway replica\(s\), 3 required; routing restored to v1 100% \(generation \d+, 1 replica\(s\), verified \{"v1":5\}/,
  );
  // The endpoint still holds v1 as stable, and the gateway answers from it.
  expect((await client.endpoint('partial').status()).stable?.version).toBe('v1');
  const answer = await fetch(`${gateway.url}/v2/models/partial/infer`, {
    method: 'POST',
    body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] }),
  });
  expect(answer.headers.get('x-modelship-version')).toBe('v1');
});
