/**
 * What operators see, over real processes: the gateway's routing-weight gauge and its dropping of
 * unloaded versions' series; a replica killed with SIGKILL reported stale by the step that went on
 * without it (and in `modelship status`, which lists live and stale replicas), a step's inconclusive note replaced once it passes, and
 * `minReplicas` holding a step that has too few live replicas until it rolls back with the reason.
 */
import { readFile } from 'node:fs/promises';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { classifierSpec } from '../support/classifierSpec';
import { startTraffic } from '../../cli/trafficGenerator';
import { registeredReplicas } from '../../activities/rollout/replicas';
import { writeRouting } from '../../activities/rollout/releaseVersion';
import { FsArtifactStore, putModel, type ArtifactStore } from '../../store';
import { ModelshipClient } from '../../sdk/client';
import type { PipelineSpecInput } from '../../sdk/schemas';
import { modelPath, runCli, startGatewayProcess, startWorkerProcess, tempDir, testEnv, waitForStatus } from '../support/testEnv';

let storeDir: string;
let store: ArtifactStore;
let worker: ManagedProcess;
let gateways: { process: ManagedProcess; url: string }[];
let client: ModelshipClient;
const ENDPOINT = 'operators';

/** The rollout without a post-promotion watch: these tests end at promotion. */
function spec(version: string, rollout: PipelineSpecInput['rollout']): PipelineSpecInput {
  return classifierSpec(ENDPOINT, version, { rollout: rollout?.strategy === 'canary' ? { watch: { duration: 0 }, ...rollout } : rollout });
}

async function metrics(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

async function infer(url: string, endpoint: string): Promise<void> {
  const response = await fetch(`${url}/v2/models/${endpoint}/infer`, {
    method: 'POST',
    body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] }),
  });
  expect(response.status).toBe(200);
}

/** Traffic to the endpoint on the first gateway (ops-0, which stays up), until stopped. */
function trafficToFirstGateway(concurrency: number): ReturnType<typeof startTraffic> {
  return startTraffic({ gateway: (gateways[0] as { url: string }).url, endpoint: ENDPOINT, requests: 10_000_000, concurrency, durationMs: 120_000 });
}

/** Waits until the gateway's /metrics satisfies `predicate` (it applies routing on its poll). */
async function metricsWhen(url: string, predicate: (text: string) => boolean): Promise<string> {
  for (;;) {
    const text = await metrics(url);
    if (predicate(text)) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  storeDir = await tempDir('store-operators');
  store = new FsArtifactStore(storeDir);
  [worker, ...gateways] = await Promise.all([
    startWorkerProcess(storeDir),
    startGatewayProcess(storeDir, { replicaId: 'ops-0' }),
    startGatewayProcess(storeDir, { replicaId: 'ops-1' }),
  ]);
  client = await ModelshipClient.connect({ address: testEnv('temporalAddress'), store });
});

afterAll(async () => {
  await client?.close();
  await Promise.all([worker?.stop(), ...(gateways ?? []).map((g) => g.process.stop())]);
});

test('/metrics: the routing weight of each loaded version, in percent; series of a version no longer loaded are dropped', async () => {
  const gateway = gateways[0] as { url: string };
  const { digest } = await putModel(store, await readFile(modelPath('classifier')), 'onnx');
  await writeRouting(store, 'weights', 'test', [
    { version: 'a', digest, weight: 75 },
    { version: 'b', digest, weight: 25 },
  ]);
  await metricsWhen(gateway.url, (text) => text.includes('modelship_routing_weight{endpoint="weights",version="b"} 25'));
  for (let i = 0; i < 20; i++) await infer(gateway.url, 'weights');
  const both = await metrics(gateway.url);
  expect(both).toContain("# HELP modelship_routing_weight Share of an endpoint's traffic routed to a version, in percent (0-100)");
  expect(both).toContain('modelship_routing_weight{endpoint="weights",version="a"} 75');
  expect(both).toMatch(/modelship_requests_total\{endpoint="weights",version="b",code="200"\} \d+/);

  await writeRouting(store, 'weights', 'test', [{ version: 'a', digest, weight: 100 }]);
  const after = await metricsWhen(gateway.url, (text) => text.includes('modelship_routing_weight{endpoint="weights",version="a"} 100'));
  expect(after).not.toContain('version="b"');
  expect(after).toMatch(/modelship_requests_total\{endpoint="weights",version="a",code="200"\} \d+/);
});

test('a replica killed with SIGKILL: the step goes on without it and says so; an inconclusive note is replaced when the step passes', async () => {
  expect((await (await client.deploy(spec('v1', { strategy: 'direct' }))).result()).outcome).toBe('promoted');
  const victim = gateways[1] as { process: ManagedProcess };
  await victim.process.kill();
  // Its heartbeat stays in the store; wait until it is stale.
  while (!(await registeredReplicas(store)).stale.some((r) => r.replicaId === 'ops-1')) await new Promise((r) => setTimeout(r, 200));

  const deployment = await client.deploy(
    spec('v2', { strategy: 'canary', steps: [{ weight: 50, bake: '2s' }], analysis: { minSamples: 40 }, maxBakeExtensions: 5, minReplicas: 1 }),
  );
  // No traffic yet: the first bake is inconclusive. Then traffic, and the step passes on a later bake.
  const waiting = await waitForStatus(deployment, (s) => s.rollout?.steps[0]?.note?.startsWith('inconclusive') === true);
  expect(waiting.rollout?.steps[0]?.note).toMatch(/^inconclusive \(.*\); baking again \(4 more extension\(s\) allowed\)$/);
  const traffic = trafficToFirstGateway(4);
  const result = await deployment.result();
  await traffic.stop();

  expect(result.outcome).toBe('promoted');
  const step = result.rollout?.steps[0];
  expect(step?.staleReplicas).toEqual(['ops-1']);
  expect(step?.note).toMatch(/^pass after \d extra bake\(s\)$/);
  expect(result.stages.find((s) => s.name === 'release')?.summary).toContain('went on without stale replica(s) ops-1: no heartbeat');

  const { code, stdout } = await runCli(['status', `${ENDPOINT}/v2`], { storeUri: storeDir });
  expect(code).toBe(0);
  expect(stdout).toContain('canary rollout against v1: done, new version at 100%');
  expect(stdout).toMatch(/✓ canary 50% +passed\n +analysis pass over [\d.]+ s from 1 replica\(s\)\n +samples +pass +\S/);
  expect(stdout).toContain('went on without stale replica(s) ops-1 (no heartbeat)');

  // The endpoint's status lists the store's replicas, live and stale.
  const endpoint = await runCli(['status', ENDPOINT], { storeUri: storeDir });
  expect(endpoint.code).toBe(0);
  expect(endpoint.stdout).toContain('  replicas   1 live, 1 stale');
  expect(endpoint.stdout).toMatch(/ {4}live {3}ops-0 {2}http:\S+ {2}generation \d+/);
  expect(endpoint.stdout).toMatch(/ {4}stale {2}ops-1 {2}http:\S+ {2}no heartbeat since \S+/);
});

test('minReplicas: a step with fewer live replicas waits, then rolls back with the reason', async () => {
  const result = await (await client.deploy(spec('v3', { strategy: 'canary', steps: [{ weight: 50, bake: '1s' }], minReplicas: 2, timeout: '3s' }))).result();
  expect(result.outcome).toBe('rolledBack');
  expect(result.failure?.message).toContain('1 live gateway replica(s), 2 required (stale, no heartbeat: ops-1)');
});

test('a replica killed during the bake: the verdict from fewer than minReplicas is inconclusive, names it, and the step rolls back', async () => {
  const late = await startGatewayProcess(storeDir, { replicaId: 'ops-2' });
  gateways.push(late);
  const traffic = trafficToFirstGateway(2);
  const deployment = await client.deploy(
    spec('v4', { strategy: 'canary', steps: [{ weight: 50, bake: '6s' }], analysis: { minSamples: 5 }, maxBakeExtensions: 0, minReplicas: 2 }),
  );
  // ops-0 and ops-2 apply the step's routing; ops-2 dies while the step bakes.
  await waitForStatus(deployment, (s) => s.rollout?.state === 'baking' && s.rollout.steps[0]?.status === 'running');
  await late.process.kill();
  const result = await deployment.result();
  await traffic.stop();

  expect(result.outcome).toBe('rolledBack');
  expect(result.failure?.type).toBe('AnalysisInconclusive');
  expect(result.failure?.message).toMatch(/1 replica\(s\) reported statistics, 2 required \((stale, no heartbeat|unreachable): [^)]*ops-2/);
  const step = result.rollout?.steps[0];
  expect(step?.verdict?.checks[0]).toMatchObject({ name: 'replicas', status: 'inconclusive', values: { replicas: 1, minReplicas: 2 } });
  expect(step?.staleReplicas).toEqual(expect.arrayContaining(['ops-1', 'ops-2']));
});
