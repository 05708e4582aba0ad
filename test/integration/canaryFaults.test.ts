/**
 * Canaries that are worse than stable in the ways production sees, under live traffic, each rolled
 * back automatically with the right reason: one that fails requests (its serving limits shed load:
 * 429s), one that adds latency (same answers, ten extra wide layers). Wrong predictions are covered
 * in canaryRollout.test.ts (shadow) and canaryAnalysis.test.ts.
 */
import { pathToFileURL } from 'node:url';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { startTraffic } from '../../cli/trafficGenerator';
import { ModelshipClient } from '../../sdk/client';
import type { PipelineSpecInput } from '../../sdk/schemas';
import { modelPath, startGatewayProcess, startWorkerProcess, tempDir, testEnv, type ExampleModel } from '../support/testEnv';
import { sameModelAnalysis } from '../support/classifierSpec';

let worker: ManagedProcess;
let gateway: { process: ManagedProcess; url: string };
let client: ModelshipClient;
let traffic: ReturnType<typeof startTraffic> | undefined;
const ENDPOINT = 'faults';

function spec(version: string, model: ExampleModel, extra: Partial<PipelineSpecInput> = {}): PipelineSpecInput {
  return {
    endpoint: ENDPOINT,
    version,
    model: { source: pathToFileURL(modelPath(model)).href, task: 'classifier' },
    stages: { optimize: { enabled: false }, benchmark: { enabled: false } },
    rollout: {
      strategy: 'canary',
      watch: { duration: 0 },
      steps: [{ weight: 50, bake: '4s' }],
      analysis: sameModelAnalysis({ minSamples: 40 }),
      maxBakeExtensions: 1,
    },
    ...extra,
  };
}

beforeAll(async () => {
  const store = await tempDir('store-faults');
  [worker, gateway] = await Promise.all([startWorkerProcess(store), startGatewayProcess(store)]);
  client = await ModelshipClient.connect({ address: testEnv('temporalAddress'), store });
  expect((await (await client.deploy(spec('v1', 'classifier'))).result()).outcome).toBe('promoted');
  traffic = startTraffic({ gateway: gateway.url, endpoint: ENDPOINT, requests: 10_000_000, concurrency: 8, durationMs: 300_000 });
});

afterAll(async () => {
  await traffic?.stop();
  await client?.close();
  await Promise.all([worker?.stop(), gateway?.process.stop()]);
});

test('a canary that fails requests (it sheds load: one at a time, no queue) is rolled back on its error rate', async () => {
  const result = await (await client.deploy(spec('v2', 'classifier', { serving: { maxConcurrency: 1, maxQueueSize: 0 } }))).result();
  expect(result.outcome).toBe('rolledBack');
  expect(result.failure?.type).toBe('CanaryRegressed');
  expect(result.failure?.message).toMatch(/canary at 50% failed analysis: error-rate: /);
  const check = result.rollout?.steps[0]?.verdict?.checks.find((c) => c.name === 'error-rate');
  expect(check?.status).toBe('fail');
  // More than the allowed one point above stable's (the default maxIncrease), and significant.
  expect(check?.values.canaryRate).toBeGreaterThan((check?.values.stableRate ?? 0) + 0.01);
  expect(check?.values.pValue).toBeLessThan(0.01);
  expect(Object.keys(result.rollout?.rollback?.verified ?? {})).toEqual(['v1']);
});

test('a canary that answers the same but slower is rolled back on latency', async () => {
  const result = await (await client.deploy(spec('v3', 'classifier_slow'))).result();
  expect(result.outcome).toBe('rolledBack');
  expect(result.failure?.type).toBe('CanaryRegressed');
  expect(result.failure?.message).toMatch(/canary at 50% failed analysis: latency: /);
  const checks = Object.fromEntries((result.rollout?.steps[0]?.verdict?.checks ?? []).map((c) => [c.name, c.status]));
  expect(checks).toMatchObject({ latency: 'fail', 'error-rate': 'pass', 'prediction-shift': 'pass' });
  // Slower in the model's own compute time too (the gateways' compute samples reached the analysis): not serving overhead.
  const latency = result.rollout?.steps[0]?.verdict?.checks.find((c) => c.name === 'latency');
  expect(latency?.detail).toMatch(/^end-to-end p50 ×.*; compute p50 ×.*min effect [\d.]+\)$/);
  expect(latency?.values.computeP50Ratio).toBeGreaterThan(1);
  expect(Object.keys(result.rollout?.rollback?.verified ?? {})).toEqual(['v1']);
});
