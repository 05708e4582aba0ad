/**
 * Captured traffic round-trips over the real parts: a `modelship serve` process capturing every
 * request (rate 1) writes what it served to the store; `modelship capture` exports those rows as an
 * `.npz` (read back with numpy); `modelship traffic --captured` replays them through the gateway.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { releaseVersion } from '../../activities/rollout/releaseVersion';
import { standaloneContext } from '../../activities/activityContext';
import { venvPython } from '../../activities/python/venv';
import { readCaptured, type CapturedTraffic } from '../../runtime/capturedTraffic';
import { FsArtifactStore, putModel, type ArtifactStore } from '../../store';
import { ADMIN_TOKEN, modelPath, runCli, startGatewayProcess, tempDir } from '../support/testEnv';

let storeDir: string;
let store: ArtifactStore;
let gateway: { process: ManagedProcess; url: string };

beforeAll(async () => {
  storeDir = await tempDir('store-capture');
  store = new FsArtifactStore(storeDir);
  gateway = await startGatewayProcess(storeDir, { replicaId: 'capturing', extraArgs: ['--capture-rate', '1', '--capture-flush-interval', '200'] });
  const { digest } = await putModel(store, await readFile(modelPath('classifier')), 'onnx');
  await releaseVersion(
    { store, context: standaloneContext(), adminToken: ADMIN_TOKEN },
    { endpoint: 'captured', version: 'v1', digest, timeoutMs: 30_000, minReplicas: 1, updatedBy: 'test' },
  );
});

afterAll(async () => {
  await gateway?.process.stop();
});

const sent = [
  [0.5, -1, 2, 0.25],
  [1.5, 0, -2, 3],
  [-0.5, 1, 1, -1],
];

async function infer(features: number[][]): Promise<void> {
  const response = await fetch(`${gateway.url}/v2/models/captured/infer`, {
    method: 'POST',
    body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [features.length, 4], data: features.flat() }] }),
  });
  expect(response.status).toBe(200);
  await response.arrayBuffer();
}

/** The store's captured traffic once it holds `rows` rows (the gateway writes every 200 ms). */
async function capturedRows(rows: number): Promise<CapturedTraffic> {
  for (;;) {
    const captured = await readCaptured(store, 'captured');
    if (captured.rows >= rows) return captured;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('served requests are captured with their outputs, exported as an .npz, and replayed by traffic --captured', async () => {
  const none = await runCli(['capture', 'captured', '--out', path.join(storeDir, 'none.npz')], { storeUri: storeDir });
  expect(none.code).toBe(1);
  expect(none.stderr).toMatch(/no captured requests of captured/);

  await infer([sent[0] as number[]]);
  await infer([sent[1] as number[], sent[2] as number[]]);
  const captured = await capturedRows(3);
  expect(captured.versions).toEqual(['v1']);
  expect(captured.requests.map((r) => r.rows).sort()).toEqual([1, 2]);
  expect(captured.requests.every((r) => Object.keys(r.outputs).length > 0)).toBe(true);

  const out = path.join(storeDir, 'captured.npz');
  const exported = await runCli(['capture', 'captured', '--out', out], { storeUri: storeDir });
  expect(exported).toMatchObject({ code: 0 });
  expect(exported.stdout).toMatch(/exported 3 row\(s\) from 2 captured request\(s\) of version\(s\) v1/);
  const { stdout } = await promisify(execFile)(venvPython(), [
    '-c',
    'import json, sys, numpy as np; d = np.load(sys.argv[1]); print(json.dumps({n: d[n].tolist() for n in d.files}))',
    out,
  ]);
  expect(JSON.parse(stdout)).toEqual({ features: sent });

  const replay = await runCli(['traffic', 'captured', '--gateway', gateway.url, '--captured', '--requests', '3', '--concurrency', '1'], { storeUri: storeDir });
  expect(replay).toMatchObject({ code: 0 });
  expect(replay.stdout).toMatch(/replaying 3 row\(s\)/);
  expect(replay.stdout).toMatch(/3 request\(s\) in .* 0 failed/);
  // The replayed rows were served and captured in turn: each sent row now appears twice.
  const after = await capturedRows(6);
  const rows = after.requests.flatMap((r) => {
    const data = [...(r.inputs.features?.data as Float32Array)];
    return Array.from({ length: r.rows }, (_, i) => JSON.stringify(data.slice(i * 4, i * 4 + 4)));
  });
  expect(rows.sort()).toEqual([...sent, ...sent].map((s) => JSON.stringify(s)).sort());
});
