/**
 * KServe v2 gRPC: an unmodified tritonclient.grpc (raw contents, as `set_data_from_numpy` sends them,
 * and typed contents through its own generated messages and stub) against `modelship serve
 * --grpc-port`: health and metadata, every datatype, requested outputs, explicit and header-matched
 * versions, errors as gRPC statuses with REST's messages, the inference token, the message size
 * limit, and gRPC requests in the stats window, the metrics and the shadow comparison.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeRouting } from '../../activities/rollout/releaseVersion';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { freePort } from '../../cli/dev/ports';
import { PACKAGE_ROOT, venvTool } from '../../cli/dev/projectPaths';
import { FsArtifactStore, putModel } from '../../store';
import { inferInProcess } from '../support/inference';
import { ADMIN_TOKEN, modelPath, startGatewayProcess, tempDir, type ExampleModel } from '../support/testEnv';

const TOKEN = 'grpc-inference-token';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const MAX_MESSAGE_BYTES = 64 * 1024;

let gateway: { process: ManagedProcess; url: string };
let grpcAddress: string;

beforeAll(async () => {
  const storeDir = await tempDir('store-grpc');
  const store = new FsArtifactStore(storeDir);
  const digest = async (model: ExampleModel): Promise<string> => (await putModel(store, await readFile(modelPath(model)), 'onnx')).digest;
  const [classifier, perturbed, datatypes, typed] = (await Promise.all(
    (['classifier', 'classifier_perturbed', 'datatypes', 'datatypes_typed'] as const).map(digest),
  )) as [string, string, string, string];
  await writeRouting(store, 'iris', 'test', {
    versions: [
      { version: 'v1', digest: classifier, weight: 100 },
      { version: 'v2', digest: perturbed, weight: 0 },
    ],
    match: { header: 'x-canary', version: 'v2' },
  });
  await writeRouting(store, 'counted', 'test', {
    versions: [{ version: 'v1', digest: classifier, weight: 100 }],
    shadow: { version: 'v2', digest: perturbed, percent: 100 },
  });
  await writeRouting(store, 'types', 'test', [{ version: 'v1', digest: datatypes, weight: 100 }]);
  await writeRouting(store, 'typed', 'test', [{ version: 'v1', digest: typed, weight: 100 }]);
  const grpcPort = await freePort();
  gateway = await startGatewayProcess(storeDir, {
    extraArgs: ['--grpc-port', String(grpcPort), '--max-body-bytes', String(MAX_MESSAGE_BYTES)],
    env: { MODELSHIP_INFERENCE_TOKEN: TOKEN },
  });
  grpcAddress = `127.0.0.1:${grpcPort}`;
});

afterAll(async () => {
  await gateway?.process.stop();
});

interface Tensor {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
}
interface InferAnswer {
  id: string;
  model_name: string;
  model_version: string;
  raw: boolean;
  outputs: Record<string, Omit<Tensor, 'name'>>;
}
interface Failure {
  error: { code: string; message: string };
}
interface InferCall {
  call: 'infer';
  model: string;
  inputs: Tensor[];
  version?: string;
  outputs?: string[];
  typed?: boolean;
  headers?: Record<string, string>;
  id?: string;
}
type Call =
  | InferCall
  | { call: 'live' | 'ready' | 'server_metadata' | 'repository_index'; headers?: Record<string, string> }
  | { call: 'model_ready' | 'model_metadata'; model: string; version?: string };

/** Runs the calls with tritonclient.grpc in one Python process; one result per call. */
function tritonGrpc(calls: Call[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(venvTool('python'), [path.join(PACKAGE_ROOT, 'test/support/tritonGrpcClient.py'), grpcAddress], (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as unknown[]),
    );
    child.stdin?.end(JSON.stringify(calls));
  });
}

async function infer(call: Omit<InferCall, 'call'>): Promise<InferAnswer> {
  const [result] = await tritonGrpc([{ call: 'infer', headers: AUTH, ...call }]);
  return result as InferAnswer;
}

async function failure(call: Omit<InferCall, 'call'>): Promise<Failure['error']> {
  const [result] = await tritonGrpc([{ call: 'infer', headers: AUTH, ...call }]);
  expect(result).toHaveProperty('error');
  return (result as Failure).error;
}

/** What REST answers with for the same inference request: its status and error message. */
async function restError(call: Omit<InferCall, 'call'>): Promise<{ status: number; error: string }> {
  const url = `${gateway.url}/v2/models/${call.model}${call.version ? `/versions/${call.version}` : ''}/infer`;
  const response = await fetch(url, { method: 'POST', headers: call.headers ?? AUTH, body: JSON.stringify({ inputs: call.inputs }) });
  return { status: response.status, error: ((await response.json()) as { error: string }).error };
}

const FEATURES = [0.3, -1.2, 2.2, 0.9, 1.0, 1.0, -0.5, 0.25];
const IRIS_INPUT: Tensor = { name: 'features', datatype: 'FP32', shape: [2, 4], data: FEATURES };

async function inProcess(model: ExampleModel): Promise<{ probabilities: number[]; label: string[] }> {
  const out = await inferInProcess(modelPath(model), { features: { datatype: 'FP32', shape: [2, 4], data: Float32Array.from(FEATURES) } });
  return { probabilities: Array.from(out.probabilities?.data as Float32Array), label: Array.from(out.label?.data as BigInt64Array, String) };
}

test('health, server and model metadata, readiness and the repository index', async () => {
  const [live, ready, server, irisReady, v2Ready, unknownReady, metadata, v2Metadata, index] = await tritonGrpc([
    { call: 'live' },
    { call: 'ready' },
    { call: 'server_metadata' },
    { call: 'model_ready', model: 'iris' },
    { call: 'model_ready', model: 'iris', version: 'v2' },
    { call: 'model_ready', model: 'nope' },
    { call: 'model_metadata', model: 'iris' },
    { call: 'model_metadata', model: 'iris', version: 'v2' },
    { call: 'repository_index', headers: AUTH },
  ]);
  expect([live, ready, irisReady, v2Ready, unknownReady]).toEqual([true, true, true, true, false]);
  expect(server).toEqual({ name: 'modelship', version: expect.any(String), extensions: ['model_repository'] });
  // as_json writes int64 fields as strings.
  expect(metadata).toEqual({
    name: 'iris',
    versions: ['v1', 'v2'],
    platform: 'onnxruntime_onnx',
    inputs: [{ name: 'features', datatype: 'FP32', shape: ['-1', '4'] }],
    outputs: [
      { name: 'probabilities', datatype: 'FP32', shape: ['-1', '3'] },
      { name: 'label', datatype: 'INT64', shape: ['-1'] },
    ],
  });
  expect(v2Metadata).toMatchObject({ name: 'iris', versions: ['v2'] });
  expect((index as { models: { name: string; version: string; state: string; reason: string }[] }).models).toEqual([
    { name: 'counted', version: 'v1', state: 'READY', reason: 'generation 1, weight 100%' },
    { name: 'counted', version: 'v2', state: 'READY', reason: 'generation 1, shadow of 100% of requests' },
    { name: 'iris', version: 'v1', state: 'READY', reason: 'generation 1, weight 100%' },
    { name: 'iris', version: 'v2', state: 'READY', reason: 'generation 1, weight 0%' },
    { name: 'typed', version: 'v1', state: 'READY', reason: 'generation 1, weight 100%' },
    { name: 'types', version: 'v1', state: 'READY', reason: 'generation 1, weight 100%' },
  ]);
  const [unauthorized] = await tritonGrpc([{ call: 'repository_index', headers: { authorization: 'Bearer wrong' } }]);
  expect((unauthorized as Failure).error.code).toBe('UNAUTHENTICATED');
});

test('raw and typed contents get the answers of onnxruntime in-process, the way they came; requested outputs only', async () => {
  const expected = await inProcess('classifier');
  const [raw, typed, labelOnly] = (await tritonGrpc([
    { call: 'infer', model: 'iris', inputs: [IRIS_INPUT], headers: AUTH, id: 'raw-7' },
    { call: 'infer', model: 'iris', inputs: [IRIS_INPUT], headers: AUTH, typed: true, id: 'typed-7' },
    { call: 'infer', model: 'iris', inputs: [IRIS_INPUT], headers: AUTH, typed: true, outputs: ['label'] },
  ])) as InferAnswer[];
  for (const [answer, id, isRaw] of [
    [raw, 'raw-7', true],
    [typed, 'typed-7', false],
  ] as const) {
    expect(answer).toMatchObject({ id, model_name: 'iris', model_version: 'v1', raw: isRaw });
    expect(answer?.outputs).toEqual({
      probabilities: { datatype: 'FP32', shape: [2, 3], data: expected.probabilities },
      label: { datatype: 'INT64', shape: [2], data: expected.label },
    });
  }
  expect(labelOnly?.outputs).toEqual({ label: { datatype: 'INT64', shape: [2], data: expected.label } });
});

test('an explicit model_version, and header-matched routing from gRPC metadata, pick the version', async () => {
  const expected = await inProcess('classifier_perturbed');
  const explicit = await infer({ model: 'iris', version: 'v2', inputs: [IRIS_INPUT] });
  const matched = await infer({ model: 'iris', inputs: [IRIS_INPUT], headers: { ...AUTH, 'x-canary': '1' }, typed: true });
  for (const answer of [explicit, matched]) {
    expect(answer.model_version).toBe('v2');
    expect(answer.outputs.probabilities?.data).toEqual(expected.probabilities);
  }
  expect((await infer({ model: 'iris', inputs: [IRIS_INPUT] })).model_version).toBe('v1');
});

/** Elements of each datatype at its limits; INT64 and UINT64 as exact decimal strings. */
const SAMPLES: Record<string, unknown[]> = {
  BOOL: [true, false, false, true],
  UINT8: [0, 1, 254, 255],
  UINT16: [0, 7, 65534, 65535],
  UINT32: [0, 9, 4294967294, 4294967295],
  UINT64: ['0', '1', '9007199254740993', '18446744073709551615'],
  INT8: [-128, -1, 0, 127],
  INT16: [-32768, -2, 3, 32767],
  INT32: [-2147483648, -5, 6, 2147483647],
  INT64: ['-9223372036854775808', '-1', '9007199254740993', '9223372036854775807'],
  FP16: [0.5, -2, 1024, 0.25],
  FP32: [1.5, -0.25, 2 ** 34, -7],
  FP64: [1e-300, -2.5, Math.PI, 1e300],
  BYTES: ['hello', '', 'wörld', 'x y z'],
};

function datatypeInputs(exclude: string[] = []): Tensor[] {
  return Object.entries(SAMPLES)
    .filter(([datatype]) => !exclude.includes(datatype))
    .map(([datatype, data]) => ({ name: `in_${datatype.toLowerCase()}`, datatype, shape: [2, 2], data }));
}

test('every datatype round-trips: raw contents (all 13), typed contents (all but FP16, which is raw only)', async () => {
  const [raw, typed, fp16Typed] = (await tritonGrpc([
    { call: 'infer', model: 'types', inputs: datatypeInputs(), headers: AUTH },
    { call: 'infer', model: 'typed', inputs: datatypeInputs(['FP16']), headers: AUTH, typed: true },
    { call: 'infer', model: 'types', inputs: datatypeInputs(), headers: AUTH, typed: true },
  ])) as [InferAnswer, InferAnswer, Failure];
  expect(raw.raw).toBe(true);
  expect(typed.raw).toBe(false);
  for (const [answer, exclude] of [
    [raw, []],
    [typed, ['FP16']],
  ] as const) {
    for (const input of datatypeInputs([...exclude])) {
      expect(answer.outputs[input.name.replace('in_', 'out_')]).toEqual({ datatype: input.datatype, shape: [2, 2], data: input.data });
    }
  }
  expect(fp16Typed.error).toEqual({
    code: 'INVALID_ARGUMENT',
    message: 'input "in_fp16" is FP16, which has no typed contents: send it in raw_input_contents',
  });
});

test('errors are gRPC statuses carrying the messages REST answers with', async () => {
  const wrongShape: Tensor = { name: 'features', datatype: 'FP32', shape: [2, 3], data: FEATURES.slice(0, 6) };
  const wrongType: Tensor = { name: 'features', datatype: 'FP64', shape: [2, 4], data: FEATURES };
  const cases: [Omit<InferCall, 'call'>, string, number][] = [
    [{ model: 'nope', inputs: [IRIS_INPUT] }, 'NOT_FOUND', 404],
    [{ model: 'iris', version: 'v9', inputs: [IRIS_INPUT] }, 'NOT_FOUND', 404],
    [{ model: 'iris', inputs: [wrongShape] }, 'INVALID_ARGUMENT', 400],
    [{ model: 'iris', inputs: [wrongType], typed: true }, 'INVALID_ARGUMENT', 400],
    [{ model: 'iris', inputs: [IRIS_INPUT], headers: { authorization: 'Bearer wrong' } }, 'UNAUTHENTICATED', 401],
    [{ model: 'iris', inputs: [IRIS_INPUT], headers: {} }, 'UNAUTHENTICATED', 401],
  ];
  for (const [call, code, httpStatus] of cases) {
    const [error, rest] = await Promise.all([failure(call), restError(call)]);
    expect(rest.status).toBe(httpStatus);
    expect(error).toEqual({ code, message: rest.error });
  }
  expect((await restError({ model: 'iris', inputs: [wrongShape] })).error).toBe('input "features" has shape [2, 3]; the model expects [-1, 4] (-1: any size)');

  const big: Tensor = { name: 'features', datatype: 'FP32', shape: [5000, 4], data: new Array(20_000).fill(0.5) };
  const tooLarge = await failure({ model: 'iris', inputs: [big] });
  expect(tooLarge.code).toBe('RESOURCE_EXHAUSTED');
  expect(tooLarge.message).toMatch(new RegExp(`larger than max \\(\\d+ vs ${MAX_MESSAGE_BYTES}\\)`));
});

test('gRPC requests count in the stats window and the metrics, and are mirrored to the shadow version', async () => {
  const since = Date.now();
  const [a, b, c, bad] = await tritonGrpc([
    { call: 'infer', model: 'counted', inputs: [IRIS_INPUT], headers: AUTH },
    { call: 'infer', model: 'counted', inputs: [IRIS_INPUT], headers: AUTH, typed: true },
    { call: 'infer', model: 'counted', inputs: [IRIS_INPUT], headers: AUTH },
    { call: 'infer', model: 'counted', inputs: [{ ...IRIS_INPUT, shape: [4, 2] }], headers: AUTH },
  ]);
  expect([a, b, c].map((r) => (r as InferAnswer).model_version)).toEqual(['v1', 'v1', 'v1']);
  expect((bad as Failure).error.code).toBe('INVALID_ARGUMENT');

  interface Stats {
    versions: Record<string, { requests: number; errors: number; latenciesMs: number[]; computeMs: number[]; predictions: number[] }>;
    shadow: Record<string, { compared: number; failed: number; computeMs: number[] }>;
  }
  const stats = async (): Promise<Stats> =>
    (await (await fetch(`${gateway.url}/admin/stats/counted?since=${since}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as Stats;
  let window = await stats();
  // Mirrored runs finish after the answers: wait for the third comparison (at most 10 s).
  for (let i = 0; i < 100 && (window.shadow.v2?.compared ?? 0) < 3; i++) {
    await new Promise((r) => setTimeout(r, 100));
    window = await stats();
  }
  expect(window.versions.v1).toMatchObject({ requests: 3, errors: 0 });
  expect(window.versions.v1?.latenciesMs).toHaveLength(3);
  expect(window.versions.v1?.predictions).toHaveLength(3);
  // Next to each end-to-end latency, the model's own run time (measured in its instance thread): part of it.
  const { latenciesMs = [], computeMs = [] } = window.versions.v1 ?? {};
  expect(computeMs).toHaveLength(3);
  computeMs.forEach((ms, i) => expect(ms > 0 && ms <= (latenciesMs[i] as number)).toBe(true));
  expect(window.shadow.v2).toMatchObject({ compared: 3, failed: 0 });
  expect(window.shadow.v2?.computeMs).toHaveLength(3);

  const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  expect(metrics).toMatch(/modelship_requests_total\{endpoint="counted",version="v1",code="200"\} 3\n/);
  expect(metrics).toMatch(/modelship_requests_total\{endpoint="counted",version="v1",code="400"\} 1\n/);
  expect(metrics).toMatch(/modelship_request_duration_seconds_count\{endpoint="counted",version="v1"\} 3\n/);
});
