/**
 * The gateway over real HTTP and real onnxruntime: KServe v2 routes, reconciling to the store's
 * routing document, and clear 4xx answers to bad input while it keeps serving.
 */
import { readFile } from 'node:fs/promises';
import { OnnxRuntime } from '../../runtime';
import { writeRouting } from '../../activities/rollout/releaseVersion';
import { FsArtifactStore, putModel, storeKeys, type ArtifactStore } from '../../store';
import { startGateway, type Gateway } from '../../serving/gateway';
import { modelPath, tempDir } from '../support/testEnv';

let store: ArtifactStore;
let gateway: Gateway;
let classifierDigest: string;
const TOKEN = 'secret-token';

beforeAll(async () => {
  store = new FsArtifactStore(await tempDir('store-gateway'));
  classifierDigest = (await putModel(store, await readFile(modelPath('classifier')), 'onnx')).digest;
  await writeRouting(store, 'iris', 'test', [{ version: 'v1', digest: classifierDigest, weight: 100 }]);
  gateway = await startGateway({
    store,
    runtime: new OnnxRuntime(),
    port: 0,
    adminToken: TOKEN,
    pollIntervalMs: 200,
    maxBodyBytes: 64 * 1024,
    log: () => undefined,
  });
});

afterAll(async () => {
  await gateway?.close();
});

const get = async (path: string) => {
  const r = await fetch(`${gateway.url}${path}`);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};
const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
  const r = await fetch(`${gateway.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};
const goodRequest = JSON.stringify({ id: 'req-1', inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] });

test('server metadata, liveness and readiness', async () => {
  expect(await get('/v2')).toEqual({ status: 200, body: { name: 'modelship', version: '0.1.0', extensions: ['binary_tensor_data', 'model_repository'] } });
  expect(await get('/v2/health/live')).toEqual({ status: 200, body: { live: true } });
  expect(await get('/v2/health/ready')).toEqual({ status: 200, body: { ready: true } });
});

test('model metadata and readiness, with and without a version', async () => {
  expect((await get('/v2/models/iris')).body).toMatchObject({ name: 'iris', versions: ['v1'], platform: 'onnxruntime_onnx' });
  expect((await get('/v2/models/iris/versions/v1')).body).toMatchObject({ name: 'iris', versions: ['v1'] });
  expect((await get('/v2/models/iris/ready')).status).toBe(200);
  expect((await get('/v2/models/iris/versions/v1/ready')).status).toBe(200);
  expect((await get('/v2/models/iris/versions/v9/ready')).status).toBe(404);
});

test('infer echoes the id, names the version, and honours requested outputs', async () => {
  const all = await post('/v2/models/iris/infer', goodRequest);
  expect(all.status).toBe(200);
  expect(all.body).toMatchObject({ model_name: 'iris', model_version: 'v1', id: 'req-1' });
  expect((all.body.outputs as { name: string }[]).map((o) => o.name)).toEqual(['probabilities', 'label']);

  const onlyLabel = await post('/v2/models/iris/versions/v1/infer', JSON.stringify({ inputs: JSON.parse(goodRequest).inputs, outputs: [{ name: 'label' }] }));
  expect((onlyLabel.body.outputs as { name: string }[]).map((o) => o.name)).toEqual(['label']);
});

test.each([
  ['malformed JSON', '/v2/models/iris/infer', '{"inputs": [', 400, /malformed JSON/],
  ['no inputs', '/v2/models/iris/infer', '{"inputs": []}', 400, /inputs/],
  ['unknown model', '/v2/models/nope/infer', goodRequest, 404, /unknown model "nope"/],
  ['unknown version', '/v2/models/iris/versions/v7/infer', goodRequest, 404, /no version "v7"/],
  [
    'wrong datatype',
    '/v2/models/iris/infer',
    JSON.stringify({ inputs: [{ name: 'features', datatype: 'INT64', shape: [1, 4], data: [1, 2, 3, 4] }] }),
    400,
    /datatype INT64; the model expects FP32/,
  ],
  [
    'wrong shape',
    '/v2/models/iris/infer',
    JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 5], data: [1, 2, 3, 4, 5] }] }),
    400,
    /expects \[-1, 4\]/,
  ],
  ['oversize body', '/v2/models/iris/infer', JSON.stringify({ inputs: [], pad: 'x'.repeat(100 * 1024) }), 413, /exceeds the limit/],
])('%s → %d with a message, and the gateway keeps serving', async (_name, path, body, status, message) => {
  const bad = await post(path, body);
  expect(bad.status).toBe(status);
  expect(String(bad.body.error)).toMatch(message);
  expect((await post('/v2/models/iris/infer', goodRequest)).status).toBe(200);
});

test('unknown routes and methods are 404/405', async () => {
  expect((await get('/nope')).status).toBe(404);
  expect((await get('/v2/models/iris/infer')).status).toBe(405);
});

test('the route table: other methods are 404 except on infer (405 with Allow); admin paths check the token before the route', async () => {
  expect((await post('/v2/health/live', '')).status).toBe(404);
  const wrongMethod = await fetch(`${gateway.url}/v2/models/iris/versions/v1/infer`);
  expect(wrongMethod.status).toBe(405);
  expect(wrongMethod.headers.get('allow')).toBe('POST');
  expect(await get('/v2/models/iris/versions')).toEqual({ status: 404, body: { error: 'missing version after /versions/' } });
  expect(await get('/metrics/x')).toEqual({ status: 404, body: { error: 'no route /metrics/x; the inference API is under /v2' } });
  expect((await get('/v2/models/%E0%A4%A')).status).toBe(400);
  expect((await get('/admin/nope')).status).toBe(401);
  const unknownAdmin = await fetch(`${gateway.url}/admin/nope`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect({ status: unknownAdmin.status, body: await unknownAdmin.json() }).toEqual({ status: 404, body: { error: 'no admin route GET /admin/nope' } });
});

test('admin routes need the bearer token', async () => {
  expect((await post('/admin/reconcile', '')).status).toBe(401);
  expect((await post('/admin/reconcile', '', { authorization: 'Bearer wrong-token!' })).status).toBe(401);
  const ok = await post('/admin/reconcile', '', { authorization: `Bearer ${TOKEN}` });
  expect(ok.status).toBe(200);
  expect(ok.body.endpoints).toEqual({ iris: { generation: 1, digests: { v1: classifierDigest } } });
});

test('a new routing generation is applied; a corrupt artifact is refused and the old one keeps serving', async () => {
  const embedding = await putModel(store, await readFile(modelPath('embedding')), 'onnx');
  await writeRouting(store, 'iris', 'test', [{ version: 'v2', digest: embedding.digest, weight: 100 }]);
  await gateway.reconcile();
  expect((await get('/v2/models/iris')).body).toMatchObject({ versions: ['v2'], inputs: [{ name: 'token_ids' }] });

  // A routing document naming an artifact whose bytes do not match their digest.
  const tampered = await putModel(store, Buffer.from('original bytes'), 'onnx');
  await store.put(storeKeys.model(tampered.digest), Buffer.from('tampered bytes'));
  await writeRouting(store, 'iris', 'test', [{ version: 'v3', digest: tampered.digest, weight: 100 }]);
  await gateway.reconcile();
  const status = await fetch(`${gateway.url}/admin/status`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const body = (await status.json()) as { endpoints: Record<string, { generation: number; error?: { generation: number; message: string } }> };
  expect(body.endpoints.iris?.generation).toBe(2);
  expect(body.endpoints.iris?.error).toMatchObject({ generation: 3, message: expect.stringMatching(/corrupt/) });
  expect((await get('/v2/models/iris')).body).toMatchObject({ versions: ['v2'] });

  // The replica's heartbeat in the store says the same.
  const heartbeat = JSON.parse(Buffer.from((await store.get(storeKeys.replica(gateway.replicaId))) ?? []).toString());
  expect(heartbeat.endpoints.iris).toMatchObject({ generation: 2, error: { generation: 3 } });
});

test('the repository index lists every served version (weights, shadow) and what failed to load; loading through it is refused', async () => {
  const embedding = await putModel(store, await readFile(modelPath('embedding')), 'onnx');
  await writeRouting(store, 'indexed', 'test', {
    versions: [
      { version: 'v1', digest: classifierDigest, weight: 90 },
      { version: 'v2', digest: classifierDigest, weight: 10 },
    ],
    shadow: { version: 'v3', digest: embedding.digest, percent: 25 },
  });
  const missing = '0'.repeat(64);
  await writeRouting(store, 'never-loaded', 'test', [{ version: 'v1', digest: missing, weight: 100 }]);
  await gateway.reconcile();

  const index = await fetch(`${gateway.url}/v2/repository/index`, { method: 'POST' });
  expect(index.status).toBe(200);
  const models = (await index.json()) as { name: string; version: string; state: string; reason: string }[];
  expect(models.filter((m) => m.name === 'indexed')).toEqual([
    { name: 'indexed', version: 'v1', state: 'READY', reason: expect.stringMatching(/weight 90%/) },
    { name: 'indexed', version: 'v2', state: 'READY', reason: expect.stringMatching(/weight 10%/) },
    { name: 'indexed', version: 'v3', state: 'READY', reason: expect.stringMatching(/shadow of 25%/) },
  ]);
  expect(models.find((m) => m.name === 'never-loaded')).toEqual({
    name: 'never-loaded',
    version: '',
    state: 'UNAVAILABLE',
    reason: expect.stringMatching(/^generation 1 failed to load: /),
  });

  const readyOnly = (await post('/v2/repository/index', '{"ready": true}')) as unknown as { status: number; body: { name: string; state: string }[] };
  expect(readyOnly.status).toBe(200);
  expect(readyOnly.body.every((m) => m.state === 'READY')).toBe(true);
  expect(readyOnly.body.some((m) => m.name === 'never-loaded')).toBe(false);

  expect(await post('/v2/repository/index', '{"ready": "yes"}')).toEqual({ status: 400, body: { error: '"ready" must be true or false' } });
  expect(await post('/v2/repository/index', '[1]')).toEqual({ status: 400, body: { error: 'the index request body must be a JSON object' } });
  expect((await get('/v2/repository/index')).status).toBe(405);
  expect(await post('/v2/repository/models/indexed/load', '{}')).toEqual({
    status: 405,
    body: { error: 'models load from the routing documents in the store; deploy or roll back with modelship instead' },
  });
  // Still serving after all of it.
  expect((await post('/v2/models/indexed/versions/v1/infer', goodRequest)).status).toBe(200);
});
