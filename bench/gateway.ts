/**
 * `npm run bench:gateway`: the gateway side by side with in-process onnxruntime, a bare HTTP server
 * and two peers (MLServer, Triton through PyTriton) serving the same model (examples/models/
 * mlp_bench.onnx, a 256-1024-1024-10 MLP) under the same load: batch-1 requests, closed loop at
 * each concurrency, measured by native load generators (wrk for REST, h2load for gRPC; installed by
 * scripts/setupBench.sh), never a Node client sharing the cores. Then the responsiveness section
 * (health and another endpoint while a 5 s inference runs). Prints one table with ratios and the
 * issue's goals, and writes everything to .modelship/bench/gateway-<time>.json.
 * BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_CONCURRENCIES (e.g. "1,8") shorten a quick run.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../cli/dev/ports';
import { PACKAGE_ROOT, tsEntry } from '../cli/dev/projectPaths';
import { BenchServer, killAllServersNow, stopAllServers } from './benchServer';
import { benchRatios, formatRatios, formatTable, type BenchRow } from './benchTable';
import { h2loadPoint } from './h2loadLoad';
import { binaryBody, bodyFile, featureRow, grpcInferFrame, jsonBody, MIN_GRPC_RESPONSE_BYTES } from './inferBodies';
import { LoadPointError, POINT_SECONDS, WARMUP_SECONDS, type LoadPoint } from './loadPoint';
import { startBenchGateway } from './modelshipGateway';
import { startMlserver, startPytriton } from './peers/peerServers';
import { measureResponsiveness } from './responsiveness';
import { formatResponsiveness } from './responsivenessReport';
import { CONCURRENCIES, lazy, measureSection, type Measure, type ServerSection } from './rowMeasurement';
import { prepareWrk, wrkPoint } from './wrkLoad';

const run = promisify(execFile);
const MODEL = path.join(PACKAGE_ROOT, 'examples/models/mlp_bench.onnx');
const BATCHING = { batching: { maxBatchSize: 32, maxQueueDelayMicroseconds: 2000 } };
const JSON_HEADERS = { 'content-type': 'application/json' };

/** The request bodies on disk and how to aim a load generator at a server with them. */
interface Loads {
  dir: string;
  jsonFile: string;
  wrkScript: string;
  rest: (port: number, model: string, binary?: boolean) => Measure;
  grpc: (port: number, model: string) => Measure;
}

async function prepareLoads(dir: string): Promise<Loads> {
  const row = featureRow();
  const jsonFile = await bodyFile(dir, 'infer.json', jsonBody(row));
  const binary = binaryBody(row);
  const binaryFile = await bodyFile(dir, 'infer.bin', binary.body);
  const binaryHeaders = { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(binary.headerLength) };
  const script = await prepareWrk(dir);
  return {
    dir,
    jsonFile,
    wrkScript: script,
    rest: (port, model, isBinary = false) => {
      const target = {
        url: `http://127.0.0.1:${port}/v2/models/${model}/infer`,
        bodyFile: isBinary ? binaryFile : jsonFile,
        headers: isBinary ? binaryHeaders : JSON_HEADERS,
      };
      return (c, s) => wrkPoint(script, target, c, s);
    },
    grpc: (port, model) =>
      lazy(async () => {
        const target = {
          url: `http://127.0.0.1:${port}/inference.GRPCInferenceService/ModelInfer`,
          bodyFile: await bodyFile(dir, `${model}.grpc`, grpcInferFrame(model, row)),
          minResponseBytes: MIN_GRPC_RESPONSE_BYTES,
        };
        return (c, s) => h2loadPoint(target, c, s, path.join(dir, 'h2load.log'));
      }),
  };
}

const inProcess: Measure = async (concurrency, seconds) => {
  const entry = tsEntry('bench/inProcessLoop.ts');
  const args = [...entry.args, MODEL, String(concurrency), String(seconds), String(WARMUP_SECONDS)];
  const { stdout } = await run(entry.command, args, { timeout: (seconds + WARMUP_SECONDS + 60) * 1000 });
  const line = stdout.split('\n').find((l) => l.startsWith('IN_PROCESS '));
  if (!line) throw new LoadPointError(`in-process loop printed no result:\n${stdout}`);
  return JSON.parse(line.slice('IN_PROCESS '.length)) as LoadPoint;
};

async function startFloor(): Promise<{ server: BenchServer; port: number }> {
  const port = await freePort();
  const entry = tsEntry('bench/httpFloorServer.ts');
  const server = await BenchServer.start({
    name: 'http-floor',
    command: entry.command,
    args: [...entry.args, String(port)],
    readyUrls: [`http://127.0.0.1:${port}/`],
  });
  return { server, port };
}

/** Every server and its rows, in the order they are measured (one server runs at a time). */
async function sections(loads: Loads): Promise<ServerSection<{ server?: BenchServer }>[]> {
  const endpoints = [
    { name: 'plain', model: MODEL },
    { name: 'batched', model: MODEL, serving: BATCHING },
  ];
  const inProcessSection: ServerSection<object> = {
    start: async () => ({}),
    rows: [{ key: 'inprocess', label: 'in-process onnxruntime-node (no HTTP, c session.run loops)', measure: () => inProcess, warmsUp: true }],
  };
  const floor: ServerSection<Awaited<ReturnType<typeof startFloor>>> = {
    start: startFloor,
    rows: [{ key: 'floor', label: 'bare Node http server (the HTTP floor)', measure: (s) => loads.rest(s.port, 'floor') }],
  };
  const gateway: ServerSection<Awaited<ReturnType<typeof startBenchGateway>>> = {
    start: () => startBenchGateway(path.join(loads.dir, 'store'), endpoints),
    rows: [
      { key: 'json', label: 'Modelship REST JSON, no batching', measure: (g) => loads.rest(g.port, 'plain') },
      { key: 'jsonBatching', label: 'Modelship REST JSON, batching (32 rows, 2 ms)', measure: (g) => loads.rest(g.port, 'batched') },
      { key: 'binary', label: 'Modelship REST binary, no batching', measure: (g) => loads.rest(g.port, 'plain', true) },
      { key: 'grpc', label: 'Modelship gRPC, no batching', measure: (g) => loads.grpc(g.grpcPort, 'plain') },
      { key: 'grpcBatching', label: 'Modelship gRPC, batching', measure: (g) => loads.grpc(g.grpcPort, 'batched') },
    ],
  };
  const mlserver: ServerSection<Awaited<ReturnType<typeof startMlserver>>> = {
    start: () => startMlserver(loads.dir, MODEL),
    rows: [
      { key: 'mlserver', label: 'MLServer 1.7.1, ORT runtime, no batching', measure: (m) => loads.rest(m.httpPort, 'mlp') },
      { key: 'mlserverBatching', label: 'MLServer 1.7.1, adaptive batching (32, 2 ms)', measure: (m) => loads.rest(m.httpPort, 'mlp-batched') },
    ],
  };
  const triton: ServerSection<Awaited<ReturnType<typeof startPytriton>>> = {
    start: () => startPytriton(loads.dir, MODEL),
    rows: [
      { key: 'tritonHttp', label: 'Triton (PyTriton 0.7), dynamic batching, HTTP', measure: (t) => loads.rest(t.httpPort, 'mlp') },
      { key: 'tritonGrpc', label: 'Triton (PyTriton 0.7), dynamic batching, gRPC', measure: (t) => loads.grpc(t.grpcPort, 'mlp') },
    ],
  };
  return [inProcessSection, floor, gateway, mlserver, triton] as ServerSection<{ server?: BenchServer }>[];
}

async function writeReport(report: object): Promise<string> {
  const outDir = path.join(PACKAGE_ROOT, '.modelship/bench');
  await mkdir(outDir, { recursive: true });
  const outFile = path.join(outDir, `gateway-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(outFile, JSON.stringify(report, null, 2));
  return path.relative(PACKAGE_ROOT, outFile);
}

async function main(): Promise<void> {
  const began = performance.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modelship-bench-gateway-'));
  const loads = await prepareLoads(dir);
  const rows: BenchRow[] = [];
  let responsiveness: Awaited<ReturnType<typeof measureResponsiveness>> | { failed: string };
  try {
    for (const section of await sections(loads)) await measureSection(rows, section);
    responsiveness = await measureResponsiveness(dir, loads.wrkScript, loads.jsonFile).catch((error: unknown) => ({ failed: (error as Error).message }));
  } finally {
    await stopAllServers();
    await rm(dir, { recursive: true, force: true });
  }

  const ratios = benchRatios(rows, CONCURRENCIES);
  const seconds = (performance.now() - began) / 1000;
  console.log(
    `\nmodel mlp_bench.onnx (256-1024-1024-10 MLP), batch 1 per request, ~5 KB v2 JSON body, ${POINT_SECONDS} s per point after ${WARMUP_SECONDS} s warm-up`,
  );
  console.log(
    `${os.availableParallelism()} cores shared with the load generator (wrk/h2load, one thread); load average at the end ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
  console.log(formatTable(rows, CONCURRENCIES));
  console.log(`\nratios (requests/s)\n${formatRatios(ratios)}`);
  console.log(`\n${formatResponsiveness(responsiveness)}`);
  console.log(`\nbench took ${seconds.toFixed(0)} s`);
  const report = {
    when: new Date().toISOString(),
    cores: os.availableParallelism(),
    loadavg: os.loadavg(),
    pointSeconds: POINT_SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    seconds,
    rows,
    ratios,
    responsiveness,
  };
  console.log(`results written to ${await writeReport(report)}`);
  if (rows.some((r) => Object.values(r.points).some((p) => 'failed' in p)) || 'failed' in responsiveness) process.exitCode = 1;
}

process.on('exit', killAllServersNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllServersNow();
    process.exit(130);
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
