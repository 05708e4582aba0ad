/**
 * NaN and Inf over a real gateway process (`modelship serve`) and real onnxruntime: an answer with
 * non-finite values is a 500 naming the output, counted as that version's error in /metrics and in
 * the stats window (so a canary answering NaN fails the error-rate check), the gateway keeps
 * serving, and mirrored traffic answered with NaN counts as disagreement.
 */
import { readFile } from 'node:fs/promises';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { analyzeCanary } from '../../activities/analysis/analyzeCanary';
import { writeRouting, type DesiredRouting } from '../../activities/rollout/releaseVersion';
import { analysisConfig } from '../../sdk/schemas';
import { FsArtifactStore, putModel, type ArtifactStore } from '../../store';
import { ADMIN_TOKEN, modelPath, startGatewayProcess, tempDir } from '../support/testEnv';

let store: ArtifactStore;
let gateway: { process: ManagedProcess; url: string };
/** y = sqrt(x): NaN where x < 0. */
let nan: string;
/** y = sqrt(|x|): the same IO, always finite. */
let healthy: string;

beforeAll(async () => {
  const storeDir = await tempDir('store-nonfinite');
  store = new FsArtifactStore(storeDir);
  nan = (await putModel(store, await readFile(modelPath('nan')), 'onnx')).digest;
  healthy = (await putModel(store, await readFile(modelPath('sqrt_abs')), 'onnx')).digest;
  gateway = await startGatewayProcess(storeDir, { replicaId: 'nonfinite' });
});

afterAll(async () => {
  await gateway?.process.stop();
});

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

async function route(endpoint: string, desired: DesiredRouting | DesiredRouting['versions']): Promise<void> {
  await writeRouting(store, endpoint, 'test', desired);
  const nudge = await fetch(`${gateway.url}/admin/reconcile`, { method: 'POST', headers: admin });
  expect(nudge.status).toBe(200);
}

async function infer(path: string, x: number[]): Promise<{ status: number; version: string | null; body: Record<string, unknown> }> {
  const response = await fetch(`${gateway.url}/v2/models/${path}/infer`, {
    method: 'POST',
    body: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [x.length / 4, 4], data: x }] }),
  });
  return { status: response.status, version: response.headers.get('x-modelship-version'), body: (await response.json()) as Record<string, unknown> };
}

interface Stats {
  versions: Record<string, { requests: number; errors: number; nonFinite: number; predictions: number[] }>;
  shadow: Record<string, { compared: number; rows: number; agreedRows: number; nonFiniteRows: number; failed: number }>;
}
async function stats(endpoint: string, since: number): Promise<Stats> {
  return (await (await fetch(`${gateway.url}/admin/stats/${endpoint}?since=${since}`, { headers: admin })).json()) as Stats;
}

async function metrics(): Promise<string> {
  return (await fetch(`${gateway.url}/metrics`)).text();
}

/** The healthy model as `stable` (weight `stableWeight`) beside the NaN model as `nan` (the rest). */
async function routeBeside(endpoint: string, stable: string, other: string, stableWeight: number): Promise<void> {
  await route(endpoint, [
    { version: stable, digest: healthy, weight: stableWeight },
    { version: other, digest: nan, weight: 100 - stableWeight },
  ]);
}

/** The analysis of `endpoint` since `since`, the NaN model as canary or shadow. */
function analyze(endpoint: string, since: number, role: { canaryVersion: string } | { shadowVersion: string }) {
  return analyzeCanary(store, ADMIN_TOKEN, { endpoint, stableVersion: 'stable', ...role, since, config: analysisConfig.parse({ minSamples: 50 }) });
}

/** Rows of 4 values in [-2, 2] from a fixed LCG: most rows hold a negative value. */
function rows(n: number, seed: number): number[] {
  return Array.from({ length: n * 4 }, () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return (seed / 2 ** 31) * 4 - 2;
  });
}

test('an answer with NaN is a 500 naming the output, counted as the version’s error; the gateway keeps serving', async () => {
  await routeBeside('roots', 'v1', 'v2', 100);
  const since = Date.now();
  const refused = await infer('roots/versions/v2', [-1, 4, -9, 16, 1, 1, 1, 1]);
  expect(refused).toEqual({
    status: 500,
    version: 'v2',
    body: { error: "model roots/v2 produced non-finite values (NaN or Inf) in output 'y' (2 of 8 values)" },
  });
  // The same version still answers finite requests, and the healthy version answers the next request.
  expect(await infer('roots/versions/v2', [1, 4, 9, 16])).toMatchObject({ status: 200, version: 'v2', body: { outputs: [{ name: 'y', data: [1, 2, 3, 4] }] } });
  expect(await infer('roots', [-1, 4, -9, 16])).toMatchObject({ status: 200, version: 'v1', body: { outputs: [{ name: 'y', data: [1, 2, 3, 4] }] } });

  const window = await stats('roots', since);
  expect(window.versions.v2).toMatchObject({ requests: 2, errors: 1, nonFinite: 1 });
  expect(window.versions.v1).toMatchObject({ requests: 1, errors: 0, nonFinite: 0 });
  const text = await metrics();
  expect(text).toMatch(/modelship_requests_total\{endpoint="roots",version="v2",code="500"\} 1\n/);
  expect(text).toMatch(/modelship_requests_total\{endpoint="roots",version="v2",code="200"\} 1\n/);
  expect(text).toMatch(/modelship_nonfinite_outputs_total\{endpoint="roots",version="v2",output="y"\} 1\n/);
  expect(text).not.toMatch(/modelship_nonfinite_outputs_total\{endpoint="roots",version="v1"/);
});

test('a canary answering NaN fails the error-rate check of the analysis', async () => {
  await routeBeside('nan-canary', 'stable', 'canary', 50);
  const since = Date.now();
  const data = rows(300, 11);
  const answers = [];
  for (let i = 0; i < 300; i++) answers.push(await infer('nan-canary', data.slice(i * 4, i * 4 + 4)));
  expect(answers.filter((a) => a.version === 'stable').every((a) => a.status === 200)).toBe(true);
  expect(answers.filter((a) => a.version === 'canary' && a.status === 500).length).toBeGreaterThan(0);

  const verdict = await analyze('nan-canary', since, { canaryVersion: 'canary' });
  expect(verdict.replicas).toBe(1);
  expect(verdict.status).toBe('fail');
  expect(verdict.checks.find((c) => c.name === 'error-rate')).toMatchObject({ status: 'fail', values: { stableRate: 0 } });
});

test('mirrored traffic answered with NaN counts as disagreement, never as agreement', async () => {
  await route('nan-shadow', {
    versions: [{ version: 'stable', digest: healthy, weight: 100 }],
    shadow: { version: 'candidate', digest: nan, percent: 100 },
  });
  const since = Date.now();
  const data = rows(100, 3);
  const negativeRows = Array.from({ length: 100 }, (_, r) => data.slice(r * 4, r * 4 + 4).some((v) => v < 0)).filter(Boolean).length;
  for (let r = 0; r < 100; r++) expect((await infer('nan-shadow', data.slice(r * 4, r * 4 + 4))).status).toBe(200);
  let window = await stats('nan-shadow', since);
  while ((window.shadow.candidate?.compared ?? 0) < 100) {
    await new Promise((resolve) => setTimeout(resolve, 50)); // mirrored runs finish after the responses
    window = await stats('nan-shadow', since);
  }
  expect(window.shadow.candidate).toMatchObject({ compared: 100, failed: 0, rows: 100, nonFiniteRows: negativeRows, agreedRows: 100 - negativeRows });
  expect(negativeRows).toBeGreaterThan(50);

  const verdict = await analyze('nan-shadow', since, { shadowVersion: 'candidate' });
  expect(verdict.checks.find((c) => c.name === 'shadow-agreement')?.status).toBe('fail');
  expect(await metrics()).toMatch(
    new RegExp(`modelship_shadow_comparisons_total\\{endpoint="nan-shadow",version="candidate",result="disagree"\\} ${negativeRows}\\n`),
  );
});
