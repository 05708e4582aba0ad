/**
 * Traffic routing on a real gateway over HTTP: weighted split (statistically checked), sticky
 * routing, shadow comparison, batching, metrics, and weight changes under load with zero failures.
 */
import { readFile } from 'node:fs/promises';
import { OnnxRuntime } from '../../runtime';
import { writeRouting, type DesiredRouting } from '../../activities/rollout/releaseVersion';
import { FsArtifactStore, putModel, type ArtifactStore } from '../../store';
import { startGateway, type Gateway } from '../../serving/gateway';
import { modelPath, tempDir } from '../support/testEnv';

let store: ArtifactStore;
let gateway: Gateway;
let stable: string;
let candidate: string;
const TOKEN = 'routing-token';

beforeAll(async () => {
  store = new FsArtifactStore(await tempDir('store-routing'));
  stable = (await putModel(store, await readFile(modelPath('classifier')), 'onnx')).digest;
  candidate = (await putModel(store, await readFile(modelPath('classifier_perturbed')), 'onnx')).digest;
  gateway = await startGateway({ store, runtime: new OnnxRuntime(), port: 0, adminToken: TOKEN, pollIntervalMs: 100, log: () => undefined });
});

afterAll(async () => {
  await gateway?.close();
});

async function route(endpoint: string, desired: DesiredRouting): Promise<void> {
  await writeRouting(store, endpoint, 'test', desired);
  await gateway.reconcile();
}

let seed = 1;
function features(): number[] {
  // A small LCG, so every run sends the same inputs.
  return Array.from({ length: 4 }, () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return (seed / 2 ** 31) * 4 - 2;
  });
}

async function infer(endpoint: string, headers: Record<string, string> = {}): Promise<{ status: number; version: string | null }> {
  const response = await fetch(`${gateway.url}/v2/models/${endpoint}/infer`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: features() }] }),
  });
  await response.arrayBuffer();
  return { status: response.status, version: response.headers.get('x-modelship-version') };
}

async function admin(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return (await response.json()) as Record<string, unknown>;
}

test('a 70/30 split sends traffic in proportion (chi-square, p > 0.001)', async () => {
  await route('split', {
    versions: [
      { version: 'stable', digest: stable, weight: 70 },
      { version: 'canary', digest: candidate, weight: 30 },
    ],
  });
  const n = 1000;
  const counts = { stable: 0, canary: 0 };
  for (let i = 0; i < n; i++) {
    const { status, version } = await infer('split');
    expect(status).toBe(200);
    counts[version as 'stable' | 'canary']++;
  }
  const chiSquare = (counts.stable - 0.7 * n) ** 2 / (0.7 * n) + (counts.canary - 0.3 * n) ** 2 / (0.3 * n);
  expect(chiSquare).toBeLessThan(10.83); // 1 degree of freedom, p = 0.001
  expect(counts.stable + counts.canary).toBe(n);
});

test('a sticky header keeps each key on one version', async () => {
  await route('sticky', {
    stickyHeader: 'x-session',
    versions: [
      { version: 'stable', digest: stable, weight: 50 },
      { version: 'canary', digest: candidate, weight: 50 },
    ],
  });
  const seen = new Set<string>();
  for (const session of ['s-1', 's-2', 's-3', 's-4', 's-5', 's-6']) {
    const versions = new Set<string | null>();
    for (let i = 0; i < 10; i++) versions.add((await infer('sticky', { 'x-session': session })).version);
    expect(versions.size).toBe(1);
    seen.add([...versions][0] as string);
  }
  expect(seen).toEqual(new Set(['stable', 'canary']));
});

test('a header match sends only matching requests to the canary', async () => {
  await route('matched', {
    match: { header: 'x-canary', value: 'on', version: 'canary' },
    versions: [
      { version: 'stable', digest: stable, weight: 100 },
      { version: 'canary', digest: candidate, weight: 0 },
    ],
  });
  for (let i = 0; i < 20; i++) expect((await infer('matched')).version).toBe('stable');
  for (let i = 0; i < 5; i++) expect((await infer('matched', { 'x-canary': 'on' })).version).toBe('canary');
});

test('shadow traffic is compared with the served answer and never served', async () => {
  await route('shadowed', {
    versions: [{ version: 'stable', digest: stable, weight: 100 }],
    shadow: { version: 'candidate', digest: candidate, percent: 100 },
  });
  const since = Date.now();
  for (let i = 0; i < 200; i++) expect((await infer('shadowed')).version).toBe('stable');
  await new Promise((r) => setTimeout(r, 200)); // mirrored runs finish after the responses
  const stats = (await admin(`/admin/stats/shadowed?since=${since}`)) as {
    versions: Record<string, { requests: number; errors: number }>;
    shadow: Record<string, { compared: number; rows: number; agreedRows: number; maxAbsDiff: number; failed: number }>;
  };
  expect(stats.versions.stable?.requests).toBe(200);
  const shadow = stats.shadow.candidate;
  expect(shadow?.compared).toBe(200);
  expect(shadow?.failed).toBe(0);
  // The perturbed weights change about 4 in 10 answers on inputs like these.
  const agreement = (shadow?.agreedRows ?? 0) / (shadow?.rows ?? 1);
  expect(agreement).toBeGreaterThan(0.3);
  expect(agreement).toBeLessThan(0.9);
  expect(shadow?.maxAbsDiff).toBeGreaterThan(0.01);

  const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  expect(metrics).toMatch(/modelship_shadow_comparisons_total\{endpoint="shadowed",version="candidate",result="disagree"\} \d+/);
  expect(metrics).toMatch(/modelship_requests_total\{endpoint="shadowed",version="stable",code="200"\} 200/);
  expect(metrics).toMatch(/modelship_request_duration_seconds_bucket\{le="0\.005",endpoint="shadowed",version="stable"\}/);
});

test('batching serves concurrent requests in shared runs, each with its own answer', async () => {
  await route('batched', {
    versions: [
      {
        version: 'stable',
        digest: stable,
        weight: 100,
        serving: { maxConcurrency: 1, batching: { maxBatchSize: 16, maxQueueDelayMicroseconds: 5000 } },
      },
    ],
  });
  const inputs = Array.from({ length: 32 }, () => features());
  const answers = await Promise.all(
    inputs.map(async (data) => {
      const response = await fetch(`${gateway.url}/v2/models/batched/infer`, {
        method: 'POST',
        body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data }] }),
      });
      return ((await response.json()) as { outputs: { name: string; data: number[] }[] }).outputs;
    }),
  );
  const reference = await Promise.all(
    inputs.map(async (data) => {
      const response = await fetch(`${gateway.url}/v2/models/split/versions/stable/infer`, {
        method: 'POST',
        body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data }] }),
      });
      return ((await response.json()) as { outputs: { name: string; data: number[] }[] }).outputs;
    }),
  );
  expect(answers).toEqual(reference);
  const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  const runs = Number(/modelship_batch_size_count\{endpoint="batched",version="stable"\} (\d+)/.exec(metrics)?.[1]);
  expect(runs).toBeLessThan(32);
});

test('adaptive batching: a lone request runs at once, however long the queue delay (batches form only while the instance is busy)', async () => {
  const delayMicroseconds = 1_000_000;
  await route('adaptive', {
    versions: [
      {
        version: 'stable',
        digest: stable,
        weight: 100,
        serving: { instances: 1, batching: { maxBatchSize: 16, maxQueueDelayMicroseconds: delayMicroseconds } },
      },
    ],
  });
  const started = performance.now();
  for (let i = 0; i < 10; i++) {
    const response = await fetch(`${gateway.url}/v2/models/adaptive/infer`, {
      method: 'POST',
      body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: features() }] }),
    });
    expect(response.status).toBe(200);
  }
  // Waiting out the delay, ten requests one after another took at least ten seconds.
  expect(performance.now() - started).toBeLessThan((10 * delayMicroseconds) / 1000 / 2);
  const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  expect(metrics).toMatch(/modelship_batch_size_count\{endpoint="adaptive",version="stable"\} 10\n/);
  expect(metrics).toMatch(/modelship_batch_size_sum\{endpoint="adaptive",version="stable"\} 10\n/);
});

test('weights change under continuous load with zero failed requests', async () => {
  await route('live', { versions: [{ version: 'stable', digest: stable, weight: 100 }] });
  let running = true;
  const outcomes = { ok: 0, failed: 0, versions: new Set<string>() };
  const client = async (): Promise<void> => {
    while (running) {
      const { status, version } = await infer('live');
      if (status === 200) outcomes.ok++;
      else outcomes.failed++;
      if (version) outcomes.versions.add(version);
    }
  };
  const clients = Array.from({ length: 8 }, () => client());
  const plan = [0, 10, 50, 100, 50, 0, 100, 0];
  for (const canaryWeight of plan) {
    await new Promise((r) => setTimeout(r, 100));
    await route('live', {
      versions: [
        { version: 'stable', digest: stable, weight: 100 - canaryWeight },
        { version: `canary`, digest: candidate, weight: canaryWeight },
      ],
    });
  }
  // Replace the versions entirely as well (unload under load).
  await route('live', { versions: [{ version: 'next', digest: candidate, weight: 100 }] });
  await new Promise((r) => setTimeout(r, 100));
  running = false;
  await Promise.all(clients);
  expect(outcomes.failed).toBe(0);
  expect(outcomes.ok).toBeGreaterThan(200);
  expect(outcomes.versions).toEqual(new Set(['stable', 'canary', 'next']));
  expect(((await admin('/admin/status')) as { endpoints: Record<string, { generation: number }> }).endpoints.live?.generation).toBe(plan.length + 2);
});

test('inference routes can require a token', async () => {
  const guarded = await startGateway({ store, runtime: new OnnxRuntime(), port: 0, inferenceToken: 'infer-token', log: () => undefined });
  try {
    const body = JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] });
    expect((await fetch(`${guarded.url}/v2/models/split/infer`, { method: 'POST', body })).status).toBe(401);
    const ok = await fetch(`${guarded.url}/v2/models/split/infer`, { method: 'POST', body, headers: { authorization: 'Bearer infer-token' } });
    expect(ok.status).toBe(200);
  } finally {
    await guarded.close();
  }
});
