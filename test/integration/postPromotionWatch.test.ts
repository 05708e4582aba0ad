/**
 * The post-promotion watch over the real stack (a worker, two gateway replicas with the fault switch
 * allowed, a real Prometheus scraping both, paced traffic on each replica): a watch that passes (the
 * previous version is unloaded after it); a watch that fails on error rate once errors are injected
 * after promotion, rolled back on every replica; one that fails on a PromQL check that turns bad after
 * promotion; a direct release's watch; a canary watch without a verdict, promoted; an operator's rollback during the watch; the endpoint's status showing the watch.
 */
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { ModelshipClient } from '../../sdk/client';
import type { DeploymentResult, PipelineSpecInput } from '../../sdk/schemas';
import { routingDocument } from '../../sdk/schemas';
import { FsArtifactStore, readDocument, storeKeys } from '../../store';
import { startPacedTraffic, type PacedResult } from '../support/pacedTraffic';
import { startPrometheus } from '../support/prometheus';
import { classifierSpec } from '../support/classifierSpec';
import { ADMIN_TOKEN, runCli, startGatewayProcess, startWorkerProcess, tempDir, testEnv, waitForStatus } from '../support/testEnv';

let store: string;
let worker: ManagedProcess;
let gateways: { process: ManagedProcess; url: string }[];
let prometheus: { process: ManagedProcess; url: string };
let client: ModelshipClient;
/**
 * v1 of each test's endpoint, deployed side by side from the start (a stage mostly waits: on a Python
 * process, on replicas applying a generation), each awaited by its test in {@link promoteFirst}.
 */
const firstVersions = new Map<string, Promise<DeploymentResult>>();
const ENDPOINTS = ['watch-pass', 'watch-errors', 'watch-promql', 'watch-direct', 'watch-inconclusive', 'watch-operator'];

// Each test deploys, bakes, watches and rolls back under traffic: a bound on a hang, not a speed check
// (a fresh-clone CI run took over 120 s for the first, which also converts the model once).
jest.setTimeout(240_000);

beforeAll(async () => {
  store = await tempDir('store-watch');
  const gateway = (replicaId: string) => startGatewayProcess(store, { replicaId, extraArgs: ['--allow-fault-injection'] });
  [worker, ...gateways] = await Promise.all([startWorkerProcess(store), gateway('watch-a'), gateway('watch-b')]);
  prometheus = await startPrometheus(gateways.map((g) => g.url));
  client = await ModelshipClient.connect({ address: testEnv('temporalAddress'), store });
  for (const endpoint of ENDPOINTS) {
    const first = client.deploy(classifierSpec(endpoint, 'v1')).then((deployment) => deployment.result());
    first.catch(() => undefined); // reported by the test that awaits it
    firstVersions.set(endpoint, first);
  }
});

afterAll(async () => {
  await client?.close();
  await Promise.all([worker?.stop(), prometheus?.process.stop(), ...(gateways ?? []).map((g) => g.process.stop())]);
});

const routing = (endpoint: string) => readDocument(new FsArtifactStore(store), storeKeys.routing(endpoint), routingDocument);

type AnalysisInput = NonNullable<Extract<NonNullable<PipelineSpecInput['rollout']>, { strategy: 'canary' }>['analysis']>;

/** Thresholds for a 0.1 ms model compared across time on a shared machine: errors judged strictly, latency loosely. */
const analysis = (extra: AnalysisInput = {}): AnalysisInput => ({
  minSamples: 20,
  latency: { maxP50Ratio: 1000, maxP99Ratio: 1000, minSlowdownMs: 1000 },
  ...extra,
});

function canary(endpoint: string, version: string, watch: { duration: string; interval: string }, checks: AnalysisInput = {}): PipelineSpecInput {
  return classifierSpec(endpoint, version, {
    rollout: { strategy: 'canary', steps: [{ weight: 50, bake: '2s' }], analysis: analysis(checks), maxBakeExtensions: 2, watch },
  });
}

/** Paced traffic on every replica (one request at a time each). */
function trafficOnEveryReplica(endpoint: string): { stop(): Promise<PacedResult[]> } {
  const runs = gateways.map((g) => startPacedTraffic(g.url, endpoint, 15));
  return { stop: () => Promise.all(runs.map((r) => r.stop())) };
}

/** Sets the fault switch of `endpoint`/`version` on every replica. */
async function injectFault(endpoint: string, version: string, fault: { errorRate?: number; latencyMs?: number }): Promise<void> {
  for (const g of gateways) {
    const response = await fetch(`${g.url}/admin/faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ endpoint, version, ...fault }),
    });
    expect(response.status).toBe(200);
  }
}

/** Who answers on each replica now: `requests` sequential requests per replica, answers per version. */
async function answersPerReplica(endpoint: string, requests = 10): Promise<Record<string, number>[]> {
  return Promise.all(
    gateways.map(async (g) => {
      const served: Record<string, number> = {};
      for (let i = 0; i < requests; i++) {
        const response = await fetch(`${g.url}/v2/models/${endpoint}/infer`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] }),
        });
        await response.text();
        const version = response.ok ? (response.headers.get('x-modelship-version') ?? 'unknown') : `HTTP ${response.status}`;
        served[version] = (served[version] ?? 0) + 1;
      }
      return served;
    }),
  );
}

/** `endpoint`'s v1, promoted. */
async function promoteFirst(endpoint: string): Promise<void> {
  expect((await firstVersions.get(endpoint))?.outcome).toBe('promoted');
}

/** The failures of `results` that are not injected faults (there must be none: the previous version never fails). */
function realFailures(results: PacedResult[]): string[] {
  return results.flatMap((r) => r.failures).filter((f) => !f.includes('injected fault'));
}

/** v1 promoted on `endpoint`, paced traffic on every replica, then v2 deployed as a canary that has reached its watch. */
async function watching(endpoint: string, watch: { duration: string; interval: string }, checks: AnalysisInput = {}) {
  await promoteFirst(endpoint);
  const traffic = trafficOnEveryReplica(endpoint);
  try {
    const deployment = await client.deploy(canary(endpoint, 'v2', watch, checks));
    const status = await waitForStatus(deployment, (s) => s.rollout?.watch?.phase === 'watching');
    return { traffic, deployment, status };
  } catch (error) {
    await traffic.stop();
    throw error;
  }
}

function logRollback(name: string, result: DeploymentResult): void {
  const back = result.rollout?.rollback;
  console.log(
    `${name}: watch failed → every replica serves ${result.rollout?.stableVersion} in ${back?.tookMs} ms (verified ${JSON.stringify(back?.verified)})`,
  );
}

test('a watch that passes: the previous version stays loaded at 0% while the endpoint shows the watch, and is unloaded after', async () => {
  const ep = 'watch-pass';
  const { traffic, deployment, status } = await watching(ep, { duration: '6s', interval: '2s' });
  try {
    expect(status.rollout?.state).toMatch(/watching|analyzing/);
    expect((await routing(ep))?.versions).toEqual([
      expect.objectContaining({ version: 'v1', weight: 0 }),
      expect.objectContaining({ version: 'v2', weight: 100 }),
    ]);
    expect((await client.endpoint(ep).status()).active?.watch).toMatchObject({ phase: 'watching', previousVersion: 'v1' });

    const result = await deployment.result();
    expect({ outcome: result.outcome, failure: result.failure }).toEqual({ outcome: 'promoted', failure: undefined });
    expect(result.rollout?.watch).toMatchObject({ phase: 'passed', previousVersion: 'v1', durationMs: 6000, intervalMs: 2000 });
    expect(result.rollout?.watch?.intervals.map((i) => [i.vsPrevious.status, i.vsFirst?.status])).toEqual([
      ['pass', undefined],
      ['pass', expect.stringMatching(/pass|inconclusive/)],
      ['pass', expect.stringMatching(/pass|inconclusive/)],
    ]);
    expect(result.rollout?.steps.map((s) => [s.kind, s.status])).toEqual([
      ['canary', 'passed'],
      ['switch', 'passed'],
    ]);
    expect((await routing(ep))?.versions).toEqual([expect.objectContaining({ version: 'v2', weight: 100 })]);
    expect((await client.endpoint(ep).status()).active).toBeUndefined();
  } finally {
    expect(realFailures(await traffic.stop())).toEqual([]);
  }
});

test('a watch that fails on error rate (errors injected after promotion) returns every replica to the previous version', async () => {
  const ep = 'watch-errors';
  const { traffic, deployment } = await watching(ep, { duration: '30s', interval: '2s' });
  let results: PacedResult[] = [];
  try {
    await injectFault(ep, 'v2', { errorRate: 0.5 });
    const result = await deployment.result();
    expect(result.outcome).toBe('rolledBack');
    expect(result.failure).toMatchObject({
      type: 'CanaryRegressed',
      message: expect.stringMatching(/switch to 100% (failed analysis|degraded during the watch).*error-rate/),
    });
    expect(result.rollout?.watch).toMatchObject({ phase: 'failed', reason: result.failure?.message });
    expect(Object.keys(result.rollout?.rollback?.verified ?? {})).toEqual(['v1']);
    logRollback('error rate', result);
    expect((await routing(ep))?.versions).toEqual([expect.objectContaining({ version: 'v1', weight: 100 })]);
    expect(await answersPerReplica(ep)).toEqual([{ v1: 10 }, { v1: 10 }]);
  } finally {
    results = await traffic.stop();
  }
  expect(realFailures(results)).toEqual([]);
  expect(results.flatMap((r) => r.failures).length).toBeGreaterThan(0);
});

test('a watch that fails on a PromQL check turning bad after promotion (latency injected) is rolled back with the query and its numbers', async () => {
  const ep = 'watch-promql';
  const p50 =
    'histogram_quantile(0.5, sum by (le) (rate(modelship_request_duration_seconds_bucket{endpoint="{{endpoint}}",version="{{canary}}"}[{{window}}])))';
  const checks = { prometheus: { url: prometheus.url, checks: [{ name: 'p50-under-20ms', query: p50, max: 0.02 }] } };
  const { traffic, deployment } = await watching(ep, { duration: '40s', interval: '4s' }, checks);
  let results: PacedResult[] = [];
  try {
    await injectFault(ep, 'v2', { latencyMs: 80 });
    const result = await deployment.result();
    expect(result.outcome).toBe('rolledBack');
    expect(result.failure?.message).toMatch(/switch to 100% failed analysis: prometheus:p50-under-20ms: \d+(\.\d+)? not ≤ 0\.02/);
    expect(result.rollout?.steps[0]?.verdict?.checks.find((c) => c.name === 'prometheus:p50-under-20ms')?.status).toBe('pass');
    logRollback('PromQL', result);
    expect(await answersPerReplica(ep)).toEqual([{ v1: 10 }, { v1: 10 }]);
  } finally {
    results = await traffic.stop();
  }
  expect(results.flatMap((r) => r.failures)).toEqual([]);
});

test('a direct release with a watch switches at once, keeps the previous version loaded while it watches, then unloads it', async () => {
  const ep = 'watch-direct';
  await promoteFirst(ep);
  const traffic = trafficOnEveryReplica(ep);
  try {
    const watch = { duration: '4s', interval: '2s', checks: analysis() };
    const result = await (await client.deploy(classifierSpec(ep, 'v2', { rollout: { strategy: 'direct', watch } }))).result();
    expect({ outcome: result.outcome, failure: result.failure }).toEqual({ outcome: 'promoted', failure: undefined });
    expect(result.rollout).toMatchObject({
      strategy: 'direct',
      steps: [{ kind: 'switch', status: 'passed' }],
      watch: { phase: 'passed', previousVersion: 'v1' },
    });
    expect((await routing(ep))?.versions).toEqual([expect.objectContaining({ version: 'v2', weight: 100 })]);
  } finally {
    expect(realFailures(await traffic.stop())).toEqual([]);
  }
});

test('a canary watch without a verdict (too little traffic after the switch) promotes, and says so', async () => {
  const ep = 'watch-inconclusive';
  await promoteFirst(ep);
  const traffic = trafficOnEveryReplica(ep);
  let stopped: Promise<PacedResult[]> | undefined;
  try {
    // The canary step is judged on its traffic; the watch asks for more samples than it will ever see.
    const watch = { duration: '4s', interval: '2s', checks: analysis({ minSamples: 1_000_000 }) };
    const spec = classifierSpec(ep, 'v2', {
      rollout: { strategy: 'canary', steps: [{ weight: 50, bake: '2s' }], analysis: analysis(), maxBakeExtensions: 2, watch },
    });
    const deployment = await client.deploy(spec);
    await waitForStatus(deployment, (s) => s.rollout?.watch?.phase === 'watching');
    stopped = traffic.stop(); // the canary's traffic stops after promotion
    const result = await deployment.result();
    expect({ outcome: result.outcome, failure: result.failure }).toEqual({ outcome: 'promoted', failure: undefined });
    expect(result.rollout?.watch).toMatchObject({ phase: 'passed', note: expect.stringMatching(/^watch inconclusive: \d+ samples, promoted \(/) });
    expect(result.rollout?.steps.at(-1)).toMatchObject({ kind: 'switch', status: 'passed', note: result.rollout?.watch?.note });
    expect((await routing(ep))?.versions).toEqual([expect.objectContaining({ version: 'v2', weight: 100 })]);
  } finally {
    expect(realFailures(await (stopped ?? traffic.stop()))).toEqual([]);
  }
});

test("an operator's rollback during the watch ends it with the operator's reason, by the same way back", async () => {
  const ep = 'watch-operator';
  const { traffic, deployment } = await watching(ep, { duration: '5m', interval: '2s' });
  try {
    // The endpoint's status shows the watch (a 5 m one: the CLI has time to start).
    const cli = await runCli(['status', ep], { storeUri: store });
    expect(cli.stdout).toMatch(/watch +watch watching since .* until .*\(v1 kept loaded at 0%; `modelship rollback` ends it\)/);
    const json = await runCli(['status', ep, '--json'], { storeUri: store });
    expect(JSON.parse(json.stdout)).toMatchObject({ active: { version: 'v2', watch: { phase: 'watching', previousVersion: 'v1' } } });
    await expect(client.endpoint(ep).rollback({ to: 'v2', by: 'oncall' })).rejects.toThrow(/post-promotion watch: a rollback now returns watch-operator to v1/);
    const answer = await client.endpoint(ep).rollback({ by: 'oncall', reason: 'dashboards look wrong' });
    expect(answer).toMatch(
      /ended the watch of v2 \(by oncall\): rolledBack: RolloutAborted at release: rolled back by oncall during the watch: dashboards look wrong/,
    );
    const result = await deployment.result();
    expect(result.outcome).toBe('rolledBack');
    expect(result.rollout?.watch).toMatchObject({ phase: 'failed', by: 'oncall', reason: 'rolled back by oncall during the watch: dashboards look wrong' });
    expect(Object.keys(result.rollout?.rollback?.verified ?? {})).toEqual(['v1']);
    const state = await client.endpoint(ep).status();
    expect(state.stable?.version).toBe('v1');
    expect(state.history.at(-1)).toMatchObject({ kind: 'rolledBack', version: 'v2', stableAfter: 'v1' });
    expect(await answersPerReplica(ep)).toEqual([{ v1: 10 }, { v1: 10 }]);
    // Outside a watch a rollback is what it was: there is no previous version to return to now.
    await expect(client.endpoint(ep).rollback({ by: 'oncall' })).rejects.toThrow(/no previous stable version|already serves/);
  } finally {
    expect(realFailures(await traffic.stop())).toEqual([]);
  }
});
