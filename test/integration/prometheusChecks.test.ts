/**
 * Custom analysis checks against a real Prometheus scraping the gateway: a canary whose PromQL
 * check holds is promoted; one whose check fails is rolled back with the query's numbers; a query
 * Prometheus refuses leaves the verdict inconclusive (never a pass).
 */
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { startTraffic } from '../../cli/trafficGenerator';
import { ModelshipClient } from '../../sdk/client';
import type { PipelineSpecInput } from '../../sdk/schemas';
import { startPrometheus } from '../support/prometheus';
import { classifierSpec } from '../support/classifierSpec';
import { startGatewayProcess, startWorkerProcess, tempDir, testEnv } from '../support/testEnv';

let worker: ManagedProcess;
let gateway: { process: ManagedProcess; url: string };
let prometheus: { process: ManagedProcess; url: string };
let client: ModelshipClient;
let traffic: ReturnType<typeof startTraffic> | undefined;
const ENDPOINT = 'promql';

beforeAll(async () => {
  const store = await tempDir('store-promql');
  [worker, gateway] = await Promise.all([startWorkerProcess(store), startGatewayProcess(store)]);
  prometheus = await startPrometheus([gateway.url]);
  client = await ModelshipClient.connect({ address: testEnv('temporalAddress'), store });
  expect((await (await client.deploy(spec('v1', []))).result()).outcome).toBe('promoted');
  traffic = startTraffic({ gateway: gateway.url, endpoint: ENDPOINT, requests: 10_000_000, concurrency: 2, durationMs: 300_000 });
});

afterAll(async () => {
  await traffic?.stop();
  await client?.close();
  await Promise.all([worker?.stop(), gateway?.process.stop(), prometheus?.process.stop()]);
});

type Checks = { name: string; query: string; min?: number; max?: number }[];

function spec(version: string, checks: Checks, bake = '4s'): PipelineSpecInput {
  return classifierSpec(ENDPOINT, version, {
    rollout:
      checks.length === 0
        ? { strategy: 'direct' }
        : {
            strategy: 'canary',
            watch: { duration: 0 },
            steps: [{ weight: 50, bake }],
            maxBakeExtensions: 0,
            analysis: { minSamples: 20, prometheus: { url: prometheus.url, checks } },
          },
  });
}

const canaryRate = 'sum(rate(modelship_requests_total{endpoint="{{endpoint}}",version="{{canary}}",code="200"}[{{window}}]))';

test('a canary whose PromQL check holds is promoted, with the measured value in its verdict', async () => {
  // An 8 s window: rate() needs at least two scrapes (1 s apart) of the canary's series within it,
  // which a loaded 2-core machine does not always deliver in 4 s.
  const result = await (await client.deploy(spec('v2', [{ name: 'canary-serves', query: canaryRate, min: 1 }], '8s'))).result();
  // The failure (if any) in the assertion, so a rollback says why.
  expect({ outcome: result.outcome, failure: result.failure }).toEqual({ outcome: 'promoted', failure: undefined });
  const check = result.rollout?.steps[0]?.verdict?.checks.find((c) => c.name === 'prometheus:canary-serves');
  expect(check).toMatchObject({ status: 'pass' });
  expect(check?.detail).toMatch(/^\d+(\.\d+)? ≥ 1$/);
});

test('a canary whose PromQL check fails is rolled back with the query and its numbers', async () => {
  const result = await (await client.deploy(spec('v3', [{ name: 'no-canary-traffic', query: canaryRate, max: 0 }]))).result();
  expect(result.outcome).toBe('rolledBack');
  expect(result.failure?.type).toBe('CanaryRegressed');
  expect(result.failure?.message).toMatch(
    /prometheus:no-canary-traffic: \d+(\.\d+)? not ≤ 0 \(sum\(rate\(modelship_requests_total\{endpoint="promql",version="v3",code="200"\}\[\d+s\]\)\)\)/,
  );
});

test('a query Prometheus refuses is inconclusive, never a pass', async () => {
  const result = await (await client.deploy(spec('v4', [{ name: 'typo', query: 'sum(rate(', max: 1 }]))).result();
  expect(result.outcome).toBe('rolledBack');
  expect(result.failure?.type).toBe('AnalysisInconclusive');
  expect(result.failure?.message).toMatch(/sum\(rate\(: bad_data: /);
});
