/**
 * Canary analysis over real gateway replicas: raw samples collected from every live replica over
 * HTTP, merged per version, judged. The same model as canary passes; a model with perturbed
 * weights fails on mirrored traffic; too little traffic is inconclusive.
 */
import { readFile } from 'node:fs/promises';
import { analyzeCanary } from '../../activities/analysis/analyzeCanary';
import { OnnxRuntime } from '../../runtime';
import { writeRouting } from '../../activities/rollout/releaseVersion';
import { FsArtifactStore, putModel, type ArtifactStore } from '../../store';
import { startGateway, type Gateway } from '../../serving/gateway';
import { analysisConfig } from '../../sdk/schemas';
import { modelPath, tempDir } from '../support/testEnv';

const TOKEN = 'analysis-token';
let store: ArtifactStore;
const gateways: Gateway[] = [];
let stable: string;
let perturbed: string;
const config = analysisConfig.parse({ minSamples: 100 });

beforeAll(async () => {
  store = new FsArtifactStore(await tempDir('store-analysis'));
  stable = (await putModel(store, await readFile(modelPath('classifier')), 'onnx')).digest;
  perturbed = (await putModel(store, await readFile(modelPath('classifier_perturbed')), 'onnx')).digest;
  for (let i = 0; i < 2; i++) {
    gateways.push(
      await startGateway({
        store,
        runtime: new OnnxRuntime(),
        port: 0,
        adminToken: TOKEN,
        replicaId: `analysis-${i}`,
        pollIntervalMs: 100,
        log: () => undefined,
      }),
    );
  }
});

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
});

async function traffic(endpoint: string, n: number): Promise<void> {
  let seed = 7;
  for (let i = 0; i < n; i++) {
    const data = Array.from({ length: 4 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return (seed / 2 ** 31) * 4 - 2;
    });
    const gateway = gateways[i % gateways.length] as Gateway;
    const response = await fetch(`${gateway.url}/v2/models/${endpoint}/infer`, {
      method: 'POST',
      body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data }] }),
    });
    await response.arrayBuffer();
  }
  await new Promise((r) => setTimeout(r, 150)); // mirrored runs land after the responses
}

async function route(endpoint: string, desired: Parameters<typeof writeRouting>[3]): Promise<void> {
  await writeRouting(store, endpoint, 'test', desired);
  await Promise.all(gateways.map((g) => g.reconcile()));
}

test('the same model as a 50% canary passes, with samples merged from both replicas', async () => {
  await route('same', [
    { version: 'stable', digest: stable, weight: 50 },
    { version: 'canary', digest: stable, weight: 50 },
  ]);
  const since = Date.now();
  await traffic('same', 600);
  const verdict = await analyzeCanary(store, TOKEN, { endpoint: 'same', stableVersion: 'stable', canaryVersion: 'canary', since, config });
  expect(verdict.replicas).toBe(2);
  expect(verdict.status).toBe('pass');
  const samples = verdict.checks.find((c) => c.name === 'samples')?.values;
  expect((samples?.stable ?? 0) + (samples?.canary ?? 0)).toBe(600);
});

test('perturbed weights on mirrored traffic fail the agreement check', async () => {
  await route('mirrored', {
    versions: [{ version: 'stable', digest: stable, weight: 100 }],
    shadow: { version: 'candidate', digest: perturbed, percent: 100 },
  });
  const since = Date.now();
  await traffic('mirrored', 300);
  const verdict = await analyzeCanary(store, TOKEN, { endpoint: 'mirrored', stableVersion: 'stable', shadowVersion: 'candidate', since, config });
  expect(verdict.status).toBe('fail');
  const agreement = verdict.checks.find((c) => c.name === 'shadow-agreement');
  expect(agreement?.status).toBe('fail');
  expect(agreement?.values.agreement).toBeLessThan(0.9);
});

test('a window with too little traffic is inconclusive', async () => {
  const since = Date.now();
  await traffic('same', 20);
  const verdict = await analyzeCanary(store, TOKEN, { endpoint: 'same', stableVersion: 'stable', canaryVersion: 'canary', since, config });
  expect(verdict.status).toBe('inconclusive');
});
