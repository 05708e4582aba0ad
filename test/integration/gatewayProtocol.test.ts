/**
 * KServe v2 compatibility: an unmodified tritonclient (binary tensor data by default, and JSON)
 * against the gateway, and every datatype round-tripped through an Identity model.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { OnnxRuntime } from '../../runtime';
import { writeRouting } from '../../activities/rollout/releaseVersion';
import { FsArtifactStore, putModel, type ArtifactStore } from '../../store';
import { PACKAGE_ROOT, venvTool } from '../../cli/dev/projectPaths';
import { startGateway, type Gateway } from '../../serving/gateway';
import { inferInProcess } from '../support/inference';
import { modelPath, tempDir } from '../support/testEnv';

let store: ArtifactStore;
let gateway: Gateway;

beforeAll(async () => {
  store = new FsArtifactStore(await tempDir('store-protocol'));
  for (const [endpoint, model] of [
    ['iris', 'classifier'],
    ['types', 'datatypes'],
  ] as const) {
    const { digest } = await putModel(store, await readFile(modelPath(model)), 'onnx');
    await writeRouting(store, endpoint, 'test', [{ version: 'v1', digest, weight: 100 }]);
  }
  gateway = await startGateway({ store, runtime: new OnnxRuntime(), port: 0, log: () => undefined });
});

afterAll(async () => {
  await gateway?.close();
});

interface TritonResult {
  live: boolean;
  ready: boolean;
  metadata: { name: string; inputs: { name: string; datatype: string; shape: number[] }[] };
  binary: { id: string; model_version: string; outputs: Record<string, { datatype: string; shape: number[]; data: unknown[] }> };
  json: { id: string; model_version: string; outputs: Record<string, { datatype: string; shape: number[]; data: unknown[] }> };
}

function tritonclient(model: string, request: object): Promise<TritonResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      venvTool('python'),
      [path.join(PACKAGE_ROOT, 'test/support/tritonClient.py'), gateway.url.replace('http://', ''), model],
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as TritonResult)),
    );
    child.stdin?.end(JSON.stringify(request));
  });
}

test('tritonclient, unchanged, gets the same answers as onnxruntime in-process (binary and JSON)', async () => {
  const features = [0.3, -1.2, 2.2, 0.9, 1.0, 1.0, -0.5, 0.25];
  const result = await tritonclient('iris', { inputs: [{ name: 'features', datatype: 'FP32', shape: [2, 4], data: features }] });
  expect(result.live).toBe(true);
  expect(result.ready).toBe(true);
  expect(result.metadata).toMatchObject({ name: 'iris', inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }] });

  const expected = await inferInProcess(modelPath('classifier'), {
    features: { datatype: 'FP32', shape: [2, 4], data: Float32Array.from(features) },
  });
  for (const mode of ['binary', 'json'] as const) {
    const answer = result[mode];
    expect(answer.id).toBe('triton-1');
    expect(answer.model_version).toBe('v1');
    expect(answer.outputs.probabilities).toEqual({ datatype: 'FP32', shape: [2, 3], data: Array.from(expected.probabilities?.data as Float32Array) });
    expect(answer.outputs.label).toEqual({ datatype: 'INT64', shape: [2], data: Array.from(expected.label?.data as BigInt64Array, Number) });
  }
});

const SAMPLES: Record<string, unknown[]> = {
  BOOL: [true, false, false, true],
  UINT8: [0, 1, 254, 255],
  UINT16: [0, 7, 65534, 65535],
  UINT32: [0, 9, 4294967294, 4294967295],
  UINT64: [0, 1, 2 ** 40, 2 ** 52],
  INT8: [-128, -1, 0, 127],
  INT16: [-32768, -2, 3, 32767],
  INT32: [-2147483648, -5, 6, 2147483647],
  INT64: [-(2 ** 52), -1, 1, 2 ** 52],
  FP16: [0.5, -2, 1024, 0.25],
  FP32: [1.5, -0.25, 2 ** 34, -7],
  FP64: [1e-300, -2.5, Math.PI, 1e300],
  BYTES: ['hello', '', 'wörld', 'x y z'],
};

test('every datatype round-trips through JSON, and through tritonclient binary tensors', async () => {
  const inputs = Object.entries(SAMPLES).map(([datatype, data]) => ({ name: `in_${datatype.toLowerCase()}`, datatype, shape: [2, 2], data }));
  const response = await fetch(`${gateway.url}/v2/models/types/infer`, { method: 'POST', body: JSON.stringify({ inputs }) });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { outputs: { name: string; datatype: string; shape: number[]; data: unknown[] }[] };
  for (const [datatype, data] of Object.entries(SAMPLES)) {
    const out = body.outputs.find((o) => o.name === `out_${datatype.toLowerCase()}`);
    expect({ datatype: out?.datatype, shape: out?.shape, data: out?.data }).toEqual({ datatype, shape: [2, 2], data });
  }

  const triton = await tritonclient('types', { inputs });
  for (const [datatype, data] of Object.entries(SAMPLES)) {
    expect(triton.binary.outputs[`out_${datatype.toLowerCase()}`]).toEqual({ datatype, shape: [2, 2], data });
  }
});

test('a binary body whose sizes do not add up is a 400', async () => {
  const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], parameters: { binary_data_size: 16 } }] }));
  const response = await fetch(`${gateway.url}/v2/models/iris/infer`, {
    method: 'POST',
    headers: { 'inference-header-content-length': String(header.length) },
    body: Buffer.concat([header, Buffer.alloc(8)]),
  });
  expect(response.status).toBe(400);
  expect(((await response.json()) as { error: string }).error).toMatch(/declares 16 binary bytes but only 8 remain/);
});
