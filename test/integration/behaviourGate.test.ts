/**
 * The behaviour gate over the real stack (dev server, CPU worker and gateway processes, real
 * onnxruntime): before any traffic, each new version of the endpoint answers the same replay inputs
 * (golden inputs and an evaluation set) as the stable version. A faithful rebuild and a retrain with
 * a small behaviour change are promoted with the diff in the report; swapped classes, a removed
 * softmax and a heavily perturbed copy are rejected before any traffic with what changed; an
 * accepted change is promoted with the diff and the reason recorded.
 */
import { pathToFileURL } from 'node:url';
import { type ModelshipClient } from '../../sdk/client';
import { routingDocument, type DeploymentResult, type PipelineSpecInput } from '../../sdk/schemas';
import { FsArtifactStore, readDocument, storeKeys } from '../../store';
import { exampleFile, modelPath } from '../support/testEnv';
import { startStack, type Stack } from '../support/stack';

let storeDir: string;
let client: ModelshipClient;
let stack: Stack;
const ENDPOINT = 'replay-gate';

beforeAll(async () => {
  stack = await startStack('store-behaviour');
  ({ storeDir, client } = stack);
});

afterAll(() => stack?.stop());

function spec(version: string, model: Parameters<typeof modelPath>[0], behaviour: { acceptChange?: string } = {}): PipelineSpecInput {
  return {
    endpoint: ENDPOINT,
    version,
    model: { source: pathToFileURL(modelPath(model)).href, task: 'classifier' },
    stages: {
      optimize: { enabled: false },
      benchmark: { enabled: false },
      // features FP32[300, 4], labels INT64[300]: inputs the example classifier takes, labelled.
      validate: { evaluation: { source: pathToFileURL(exampleFile('sklearn_eval.npz')).href, maxAccuracyDrop: 1 }, behaviour },
    },
    rollout: { strategy: 'direct', timeout: '30s' },
  };
}

async function deploy(version: string, model: Parameters<typeof modelPath>[0], behaviour?: { acceptChange?: string }): Promise<DeploymentResult> {
  return (await client.deploy(spec(version, model, behaviour))).result();
}

const validateSummary = (result: DeploymentResult) => result.stages.find((s) => s.name === 'validate')?.summary;
const generation = async () => (await readDocument(new FsArtifactStore(storeDir), storeKeys.routing(ENDPOINT), routingDocument))?.generation;

test('the first deployment has no stable to compare with; the same artifact again is not compared with itself', async () => {
  const first = await deploy('v1', 'classifier');
  expect(first.outcome).toBe('promoted');
  expect(first.validation?.behaviour).toMatchObject({ status: 'skipped', note: 'no stable version to compare with (first deployment)', passed: true });
  expect(validateSummary(first)).toMatch(/behaviour vs stable skipped: no stable version to compare with \(first deployment\)$/);

  const again = await deploy('v2', 'classifier');
  expect(again.outcome).toBe('promoted');
  expect(again.validation?.behaviour).toMatchObject({ status: 'skipped', note: "the candidate is stable v1's artifact" });
});

test('a faithful rebuild (metadata only) is compared with stable and promoted: agreement 1, no delta, the diff in the report', async () => {
  const result = await deploy('v3', 'classifier_metadata');
  expect(result.outcome).toBe('promoted');
  const behaviour = result.validation?.behaviour;
  expect(behaviour).toMatchObject({ status: 'compared', stable: { version: 'v2' }, changes: [], passed: true });
  expect(behaviour?.sets.map((s) => [s.name, s.samples])).toEqual([
    ['golden', 64],
    ['evaluation', 300],
  ]);
  const probabilities = behaviour?.sets[0]?.outputs.find((o) => o.name === 'probabilities');
  expect(probabilities).toMatchObject({ top1Agreement: 1, meanAbsDelta: 0, maxAbsDelta: 0, rowSums: { probabilities: true } });
  expect(behaviour?.accuracy?.drop).toBe(0);
  expect(validateSummary(result)).toMatch(
    /behaviour vs stable v2 on 64 golden inputs: top-1 agreement 1, mean score delta 0, accuracy [\d.]+ \(stable [\d.]+\)$/,
  );
  const html = await new FsArtifactStore(storeDir).get(storeKeys.report(ENDPOINT, 'v3', 'html'));
  expect(Buffer.from(html ?? []).toString()).toMatch(/<h2>Behaviour vs stable<\/h2>.*No change beyond the thresholds/s);
});

test('a retrain with a small behaviour change passes the default gate, its diff recorded', async () => {
  const result = await deploy('v4', 'classifier_retrained');
  expect(result.outcome).toBe('promoted');
  const probabilities = result.validation?.behaviour?.sets[0]?.outputs.find((o) => o.name === 'probabilities');
  expect(probabilities?.meanDelta).toBeGreaterThan(0);
  expect(probabilities?.meanDelta).toBeLessThan(0.03);
  expect(probabilities?.top1Agreement).toBeGreaterThanOrEqual(0.95);
  expect(result.validation?.behaviour?.changes).toEqual([]);
});

test('behaviour-changing copies are rejected before any traffic, with what changed', async () => {
  const before = await generation();

  const noSoftmax = await deploy('v5', 'classifier_no_softmax');
  expect(noSoftmax.outcome).toBe('rejected');
  expect(noSoftmax.failure).toMatchObject({ type: 'BehaviourChanged', stage: 'validate' });
  expect(noSoftmax.failure?.message).toMatch(
    /^behaviour differs from stable v4: probabilities on 64 golden inputs: .*rows no longer sum to 1 \(stable: 1\.000, candidate: /,
  );
  expect(noSoftmax.release).toBeUndefined();

  const swapped = await deploy('v6', 'classifier_classes_swapped');
  expect(swapped.failure).toMatchObject({ type: 'BehaviourChanged', stage: 'validate' });
  expect(swapped.failure?.message).toMatch(/probabilities on 64 golden inputs: top-1 agreement 0\.\d+ < 0\.95/);
  expect(swapped.failure?.message).toMatch(/label on 300 evaluation inputs: agreement 0\.\d+ < 0\.95/);

  // classifier_perturbed (noise of 0.6 on weights of scale 0.8) agrees with stable on about half the rows: not a small change.
  const perturbed = await deploy('v7', 'classifier_perturbed');
  expect(perturbed.failure).toMatchObject({ type: 'BehaviourChanged', stage: 'validate' });
  expect(perturbed.failure?.message).toMatch(/top-1 agreement 0\.[0-8]\d* < 0\.95/);

  // None of them reached the gateway: the routing is where it was, and stable still answers.
  expect(await generation()).toBe(before);
  expect((await client.endpoint(ENDPOINT).status()).stable?.version).toBe('v4');
});

test('an accepted change is promoted, with the diff and the reason recorded', async () => {
  const result = await deploy('v8', 'classifier_classes_swapped', { acceptChange: 'classes reordered to match the new label map (ML-42)' });
  expect(result.outcome).toBe('promoted');
  const behaviour = result.validation?.behaviour;
  expect(behaviour).toMatchObject({ status: 'compared', passed: true, acceptedChange: 'classes reordered to match the new label map (ML-42)' });
  expect(behaviour?.changes.join('; ')).toMatch(/top-1 agreement 0\.\d+ < 0\.95/);
  expect(validateSummary(result)).toMatch(/; changed, accepted: classes reordered to match the new label map \(ML-42\)$/);
  const html = await new FsArtifactStore(storeDir).get(storeKeys.report(ENDPOINT, 'v8', 'html'));
  expect(Buffer.from(html ?? []).toString()).toMatch(/Changed, accepted: classes reordered/);
});
