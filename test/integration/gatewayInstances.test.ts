/**
 * The gateway's model instances on real onnxruntime threads: while a seconds-long inference runs on
 * one endpoint, `/v2/health/live` and another endpoint keep answering (the numbers are printed; the
 * strict goals are measured by `npm run bench:gateway`); `serving.instances` sets the runs in
 * flight; a crashed instance fails its request with a 500 naming the version, and later requests
 * succeed.
 */
import { readFile } from 'node:fs/promises';
import { OnnxRuntime, type InstancePool } from '../../runtime';
import { writeRouting } from '../../activities/rollout/releaseVersion';
import { FsArtifactStore, putModel, type ArtifactStore } from '../../store';
import { startGateway, type Gateway } from '../../serving/gateway';
import { inferHttp } from '../support/inference';
import { modelPath, tempDir } from '../support/testEnv';

let store: ArtifactStore;
let gateway: Gateway;

beforeAll(async () => {
  store = new FsArtifactStore(await tempDir('store-instances'));
  const chain = (await putModel(store, await readFile(modelPath('matmul_chain')), 'onnx')).digest;
  const classifier = (await putModel(store, await readFile(modelPath('classifier')), 'onnx')).digest;
  await writeRouting(store, 'slow', 'test', [{ version: 'v1', digest: chain, weight: 100, serving: { instances: 1 } }]);
  await writeRouting(store, 'crashy', 'test', [{ version: 'v1', digest: chain, weight: 100, serving: { instances: 2 } }]);
  await writeRouting(store, 'iris', 'test', [{ version: 'v1', digest: classifier, weight: 100 }]);
  gateway = await startGateway({ store, runtime: new OnnxRuntime(), port: 0, log: () => undefined });
});

afterAll(async () => {
  await gateway?.close();
});

function pool(endpoint: string): InstancePool {
  return gateway.registry.primary(endpoint)?.session as InstancePool;
}

async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((r) => setTimeout(r, 5));
}

/** A matmul_chain request: its size `n` sets how long the model computes (~n³). */
function chainRequest(endpoint: string, n: number) {
  return inferHttp(gateway.url, endpoint, [{ name: 'x', datatype: 'FP32', shape: [1, n], data: Array.from({ length: n }, (_, i) => Math.sin(i)) }]);
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

const irisRequest = () => inferHttp(gateway.url, 'iris', [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [0.3, -1.2, 2.2, 0.9] }]);
const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.99))] as number;

test('while a seconds-long inference runs, health and another endpoint keep answering', async () => {
  // Size the slow request for about 5 s on this machine, whatever its load.
  const probe = await timed(() => chainRequest('slow', 800));
  expect(probe.value.status).toBe(200);
  const n = Math.round(Math.min(4000, Math.max(800, 800 * Math.cbrt(4000 / probe.ms))));
  const idle: number[] = [];
  for (let i = 0; i < 30; i++) {
    const { ms, value } = await timed(irisRequest);
    expect(value.status).toBe(200);
    idle.push(ms);
  }

  let done = false;
  const slow = timed(() => chainRequest('slow', n)).finally(() => (done = true));
  await until(() => pool('slow').busy === 1);
  const health: number[] = [];
  const during: number[] = [];
  while (!done) {
    const live = await timed(() => fetch(`${gateway.url}/v2/health/live`));
    expect(live.value.status).toBe(200);
    health.push(live.ms);
    const iris = await timed(irisRequest);
    expect(iris.value.status).toBe(200);
    if (!done) during.push(iris.ms);
  }
  const slowRun = await slow;
  expect(slowRun.value.status).toBe(200);
  console.log(
    `slow inference (n=${n}) ${slowRun.ms.toFixed(0)} ms; during it: health max ${Math.max(...health).toFixed(1)} ms over ${health.length} calls, ` +
      `other endpoint p99 ${p99(during).toFixed(1)} ms over ${during.length} requests (idle p99 ${p99(idle).toFixed(1)} ms)`,
  );
  // Generous bounds: on the event loop, health waited for the whole inference and nothing else ran meanwhile.
  expect(Math.max(...health)).toBeLessThan(1000);
  expect(during.length).toBeGreaterThanOrEqual(3);
});

test('serving.instances sets the runs in flight; a crashed instance fails its request with a 500 naming the version, later ones succeed', async () => {
  expect(pool('crashy').instances).toBe(2);
  expect(gateway.registry.primary('crashy')?.executor.concurrency).toBe(2);
  const both = [chainRequest('crashy', 1500), chainRequest('crashy', 1500)];
  await until(() => pool('crashy').busy === 2);
  await pool('crashy').crashInstance(0);
  const [crashed, other] = await Promise.all(both);
  expect(crashed?.status).toBe(500);
  expect(crashed?.body.error).toMatch(/model crashy\/v1 failed: model instance 1 of 2 exited with code 70 while running this request; it is restarting/);
  expect(other?.status).toBe(200);
  const later = await Promise.all([chainRequest('crashy', 300), chainRequest('crashy', 300), irisRequest()]);
  expect(later.map((r) => r.status)).toEqual([200, 200, 200]);
});
