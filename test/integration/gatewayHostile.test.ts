/**
 * The gateway under hostile input: one shared real gateway (in-process, real onnxruntime models
 * from examples/models, REST and gRPC) against a table of malformed, lying, oversized and
 * adversarial requests. Each case asserts its status (or gRPC code) and a message fragment, and
 * then that the gateway still answers a good request correctly. Then: clients that hang up are
 * counted apart from the version's errors, an oversized body is refused at once and its connection
 * closed, a model that is not loaded answers 503 with the reason, and the process's memory is back
 * near its baseline.
 */
import { readFile } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { writeRouting } from '../../activities/rollout/releaseVersion';
import { OnnxRuntime } from '../../runtime';
import { startGateway, type Gateway } from '../../serving/gateway';
import { FsArtifactStore, putModel } from '../../store';
import { GrpcClient, openRaw, postHead } from '../support/hostileClient';
import { aim, CASES, chunk, FEATURES, grpcInfer, grpcIris, infer, irisBody, json, LIMIT, raw, TOKEN } from '../support/hostileCases';
import { inferInProcess } from '../support/inference';
import { modelPath, tempDir } from '../support/testEnv';

let gateway: Gateway;
let grpc: GrpcClient;
let expected: number[];
let baseline: { rss: number; heap: number };

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const memory = (): { rss: number; heap: number } => {
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heap: heapUsed };
};

beforeAll(async () => {
  const store = new FsArtifactStore(await tempDir('store-hostile'));
  const routed: [string, Parameters<typeof modelPath>[0] | 'absent'][] = [
    ['iris', 'classifier'],
    ['types', 'datatypes'],
    ['embed', 'embedding'],
    ['slow', 'classifier_slow'],
    ['broken', 'corrupt'],
    ['missing', 'absent'],
  ];
  for (const [endpoint, model] of routed) {
    const digest = model === 'absent' ? '0'.repeat(64) : (await putModel(store, await readFile(modelPath(model)), 'onnx')).digest;
    await writeRouting(store, endpoint, 'test', [{ version: 'v1', digest, weight: 100 }]);
  }
  gateway = await startGateway({ store, runtime: new OnnxRuntime(), port: 0, grpcPort: 0, adminToken: TOKEN, maxBodyBytes: LIMIT, log: () => undefined });
  grpc = new GrpcClient(gateway.grpcAddress as string);
  aim(gateway.url, grpc);
  await infer('embed', json({ inputs: [{ name: 'token_ids', datatype: 'INT64', shape: [1, 8], data: [1, 2, 3, 4, 5, 6, 7, 8] }] }));
  const answer = await inferInProcess(modelPath('classifier'), { features: { datatype: 'FP32', shape: [1, 4], data: Float32Array.from(FEATURES) } });
  expected = Array.from(answer.probabilities?.data as Float32Array);
  await stillServes();
  await grpc.call('ModelInfer', grpcIris({ fp32_contents: FEATURES }));
  baseline = memory();
});

afterAll(async () => {
  grpc?.close();
  await gateway?.close();
});

/** A good request answers 200 with onnxruntime's own answer. */
async function stillServes(): Promise<void> {
  const answer = await infer('iris', irisBody());
  expect(answer.code).toBe('200');
  expect((JSON.parse(answer.text) as { outputs: { data: number[] }[] }).outputs[0]?.data).toEqual(expected);
}

test('the corpus has at least 70 cases', () => {
  expect(CASES.length).toBeGreaterThanOrEqual(70);
});

describe.each([...new Set(CASES.map(([group]) => group))])('%s', (group) => {
  test.each(CASES.filter(([g]) => g === group).map(([, ...rest]) => rest))('%s', async (_name, send, code, message) => {
    const answer = await send();
    expect(answer.code).toBe(code);
    expect(answer.text).toMatch(message);
    await stillServes();
    if (group === 'grpc') expect((await grpcInfer(grpcIris({ fp32_contents: FEATURES }))).code).toBe('grpc OK');
  });
});

test('an oversized body is answered at once and its connection closed, whether declared or chunked', async () => {
  const declared = await raw(postHead('/v2/models/iris/infer', { 'content-length': LIMIT * 64 }));
  expect(declared).toMatchObject({ code: '413', closed: true });
  expect(declared.text).toMatch(/connection: close/i);
  const chunked = await raw(postHead('/v2/models/iris/infer', { 'transfer-encoding': 'chunked' }), chunk(64 * 1024), 8 * LIMIT);
  expect(chunked).toMatchObject({ code: '413', closed: true });
});

/** The sum of `name` over the series whose labels include `labels`, from the gateway's /metrics. */
async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const has = Object.fromEntries([...(m[2] as string).matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => has[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

/** Waits until `endpoint` has answered `count` more requests (any code) than `before`. */
async function answered(endpoint: string, before: number, count: number): Promise<void> {
  for (let i = 0; i < 200 && (await metric('modelship_requests_total', { endpoint })) < before + count; i++) await sleep(25);
}
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const slowBody = (rows: number): string => irisBody({ shape: [rows, 4], data: Array.from({ length: rows * 4 }, (_, i) => i % 7) });

test('ten clients hanging up mid-upload are client aborts (499), not the version errors, and others are served meanwhile', async () => {
  const since = Date.now();
  const before = await metric('modelship_requests_total', { endpoint: 'iris' });
  const body = irisBody();
  const sockets = await Promise.all(
    Array.from({ length: 10 }, () => openRaw(gateway.url, postHead('/v2/models/iris/infer', { 'content-length': body.length }) + body.slice(0, 10))),
  );
  await sleep(200);
  await stillServes();
  for (const socket of sockets) socket.destroy();
  await answered('iris', before + 1, 10);
  expect(await metric('modelship_requests_total', { endpoint: 'iris', code: '499' })).toBeGreaterThanOrEqual(10);
  expect(await metric('modelship_client_aborts_total', { endpoint: 'iris', version: 'v1' })).toBeGreaterThanOrEqual(10);
  expect(await metric('modelship_requests_total', { endpoint: 'iris', code: '500' })).toBe(0);
  expect(gateway.stats.snapshot('iris', since).versions.v1?.errors).toBe(0);
});

test('a client that closes before its answer (REST) or cancels its call (gRPC) is a client abort', async () => {
  const since = Date.now();
  const aborts = await metric('modelship_client_aborts_total', { endpoint: 'slow' });
  const before = await metric('modelship_requests_total', { endpoint: 'slow' });
  const body = slowBody(4000);
  const socket = await openRaw(gateway.url, postHead('/v2/models/slow/infer', { 'content-length': body.length }) + body);
  await sleep(100);
  socket.destroy();
  await answered('slow', before, 1);
  const call = grpc.start(
    'ModelInfer',
    { model_name: 'slow', inputs: [{ name: 'features', datatype: 'FP32', shape: [4000, 4], contents: { fp32_contents: Array(16000).fill(1) } }] },
    {},
    () => undefined,
  );
  await sleep(100);
  call.cancel();
  await answered('slow', before, 2);
  expect(await metric('modelship_client_aborts_total', { endpoint: 'slow', version: 'v1' })).toBe(aborts + 2);
  expect(await metric('modelship_requests_total', { endpoint: 'slow', code: '499' })).toBe(aborts + 2);
  expect(gateway.stats.snapshot('slow', since).versions.v1?.errors ?? 0).toBe(0);
});

test('no hostile request counted against a version, and memory is back near its baseline', async () => {
  for (const endpoint of ['iris', 'types', 'embed']) {
    const versions = gateway.stats.snapshot(endpoint).versions;
    expect({ endpoint, errors: versions.v1?.errors }).toEqual({ endpoint, errors: 0 });
  }
  await sleep(200);
  const after = memory();
  expect(after.heap - baseline.heap).toBeLessThan(64 * 1024 * 1024);
  expect(after.rss - baseline.rss).toBeLessThan(512 * 1024 * 1024);
});
