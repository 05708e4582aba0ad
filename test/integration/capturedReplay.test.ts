/**
 * Captured production traffic feeds the replay gate, over the real parts: a gateway capturing every
 * request serves v1; its requests reach the store; the next deployment's behaviour gate replays them
 * on the candidate and on v1 (a candidate that changes its answers on them is refused before any
 * traffic); and `modelship capture` exports them as an `.npz` that a spec can name as its sample set.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { venvPython } from '../../activities/python/venv';
import { readCaptured } from '../../runtime/capturedTraffic';
import { ModelshipClient } from '../../sdk/client';
import type { PipelineSpecInput } from '../../sdk/schemas';
import { FsArtifactStore } from '../../store';
import { modelPath, runCli, startGatewayProcess, startWorkerProcess, tempDir, testEnv } from '../support/testEnv';

let storeDir: string;
let worker: ManagedProcess;
let gateway: { process: ManagedProcess; url: string };
let client: ModelshipClient;
const ENDPOINT = 'replayed';
const REQUESTS = 24;

beforeAll(async () => {
  storeDir = await tempDir('store-captured-replay');
  [worker, gateway] = await Promise.all([
    startWorkerProcess(storeDir),
    startGatewayProcess(storeDir, { extraArgs: ['--capture-rate', '1', '--capture-flush-interval', '200'] }),
  ]);
  client = await ModelshipClient.connect({ address: testEnv('temporalAddress'), store: storeDir });
});

afterAll(async () => {
  await client?.close();
  await Promise.all([worker?.stop(), gateway?.process.stop()]);
});

function spec(version: string, model: Parameters<typeof modelPath>[0], extra: Partial<PipelineSpecInput['model']> = {}): PipelineSpecInput {
  return {
    endpoint: ENDPOINT,
    version,
    model: { source: pathToFileURL(modelPath(model)).href, task: 'classifier', ...extra },
    stages: { optimize: { enabled: false }, benchmark: { enabled: false } },
  };
}

test('served requests → store → replay gate and modelship capture → a spec sample set', async () => {
  expect((await (await client.deploy(spec('v1', 'classifier'))).result()).outcome).toBe('promoted');
  for (let i = 0; i < REQUESTS; i++) {
    const features = [Math.sin(i) * 3, Math.cos(i) * 3, (i % 5) - 2, i / 8 - 1.5];
    const response = await fetch(`${gateway.url}/v2/models/${ENDPOINT}/infer`, {
      method: 'POST',
      body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: features }] }),
    });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  }
  const store = new FsArtifactStore(storeDir);
  while ((await readCaptured(store, ENDPOINT, { version: 'v1' })).rows < REQUESTS) await new Promise((r) => setTimeout(r, 100));

  // A candidate that swaps two classes is refused before any traffic, judged on the captured requests too.
  const swapped = await (await client.deploy(spec('v2', 'classifier_classes_swapped'))).result();
  expect(swapped).toMatchObject({ outcome: 'rejected', failure: { type: 'BehaviourChanged' } });
  const capturedSet = swapped.validation?.behaviour?.sets.find((s) => s.name === 'captured');
  expect(capturedSet?.samples).toBe(REQUESTS);

  // The same requests, exported, become the next deployment's sample set (its golden inputs).
  const npz = path.join(storeDir, 'production.npz');
  const exported = await runCli(['capture', ENDPOINT, '--out', npz], { storeUri: storeDir });
  expect(exported).toMatchObject({ code: 0 });
  const { stdout } = await promisify(execFile)(venvPython(), ['-c', 'import sys, numpy as np; print(np.load(sys.argv[1])["features"].shape[0])', npz]);
  expect(Number(stdout.trim())).toBe(REQUESTS);
  const retrained = await (await client.deploy(spec('v3', 'classifier_retrained', { profile: { samples: npz } }))).result();
  expect(retrained.outcome).toBe('promoted');
  expect(retrained.conversion?.goldenCount).toBe(REQUESTS);
  expect(retrained.validation?.behaviour?.sets.map((s) => [s.name, s.samples])).toEqual([
    ['captured', REQUESTS],
    ['golden', REQUESTS],
  ]);
});
