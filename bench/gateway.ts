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
import { benchRatios, formatRatios, formatTable, type BenchRow, type PointOutcome, type RowKey } from './benchTable';
import { h2loadPoint } from './h2loadLoad';
import { binaryBody, bodyFile, featureRow, grpcInferFrame, jsonBody, MIN_GRPC_RESPONSE_BYTES } from './inferBodies';
import { LoadPointError, POINT_SECONDS, WARMUP_SECONDS, type LoadPoint } from './loadPoint';
import { gatewayHasGrpcPort, startBenchGateway } from './modelshipGateway';
import { startMlserver, startPytriton } from './peers/peerServers';
import { measureResponsiveness } from './responsiveness';
import { formatResponsiveness } from './responsivenessReport';
import { prepareWrk, wrkPoint } from './wrkLoad';

const run = promisify(execFile);
const CONCURRENCIES = (process.env.BENCH_CONCURRENCIES ?? '1,8,32').split(',').map(Number);
const MODEL = path.join(PACKAGE_ROOT, 'examples/models/mlp_bench.onnx');
const BATCHING = { batching: { maxBatchSize: 32, maxQueueDelayMicroseconds: 2000 } };

/** One row's point at a concurrency: a warm-up run, then the measured run. */
type Measure = (concurrency: number, seconds: number) => Promise<LoadPoint>;
interface RowPlan {
  key: RowKey;
  label: string;
  measure: Measure | { na: string };
}

async function measureRows(rows: BenchRow[], plans: RowPlan[]): Promise<void> {
  for (const plan of plans) {
    const points: Record<number, PointOutcome> = {};
    for (const c of CONCURRENCIES) {
      if ('na' in plan.measure) {
        points[c] = { na: plan.measure.na };
        continue;
      }
      try {
        if (WARMUP_SECONDS > 0) await plan.measure(c, WARMUP_SECONDS);
        points[c] = await plan.measure(c, POINT_SECONDS);
      } catch (error) {
        if (!(error instanceof LoadPointError)) throw error;
        points[c] = { failed: error.message };
      }
      console.error(`bench: ${plan.label} c=${c}: ${JSON.stringify(points[c])}`);
    }
    rows.push({ key: plan.key, label: plan.label, points });
  }
}

/** Starts a server, measures its rows, stops it; a server that does not start fails its rows. */
async function withServer<S extends { server: BenchServer }>(
  rows: BenchRow[],
  start: () => Promise<S>,
  plans: (s: S) => RowPlan[],
  labels: [RowKey, string][],
): Promise<void> {
  let started: S;
  try {
    started = await start();
  } catch (error) {
    const lines = (error as Error).message.split('\n').filter(Boolean);
    const failed = { failed: `did not start: ${lines[0]} … ${lines.at(-1)}` };
    console.error((error as Error).message);
    for (const [key, label] of labels) rows.push({ key, label, points: Object.fromEntries(CONCURRENCIES.map((c) => [c, failed])) });
    return;
  }
  try {
    await measureRows(rows, plans(started));
  } finally {
    await started.server.stop();
  }
}

const inProcess: Measure = async (concurrency, seconds) => {
  const entry = tsEntry('bench/inProcessLoop.ts');
  const { stdout } = await run(entry.command, [...entry.args, MODEL, String(concurrency), String(seconds), '0'], { timeout: (seconds + 60) * 1000 });
  const line = stdout.split('\n').find((l) => l.startsWith('IN_PROCESS '));
  if (!line) throw new LoadPointError(`in-process loop printed no result:\n${stdout}`);
  return JSON.parse(line.slice('IN_PROCESS '.length)) as LoadPoint;
};

async function main(): Promise<void> {
  const began = performance.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modelship-bench-gateway-'));
  const row = featureRow();
  const json = await bodyFile(dir, 'infer.json', jsonBody(row));
  const binary = binaryBody(row);
  const binaryFile = await bodyFile(dir, 'infer.bin', binary.body);
  const script = await prepareWrk(dir);
  const jsonHeaders = { 'content-type': 'application/json' };
  const rest = (port: number, model: string, bodyFile = json, headers: Record<string, string> = jsonHeaders): Measure => {
    const target = { url: `http://127.0.0.1:${port}/v2/models/${model}/infer`, bodyFile, headers };
    return (c, s) => wrkPoint(script, target, c, s);
  };
  const grpc = async (port: number, model: string): Promise<Measure> => {
    const target = {
      url: `http://127.0.0.1:${port}/inference.GRPCInferenceService/ModelInfer`,
      bodyFile: await bodyFile(dir, `${model}.grpc`, grpcInferFrame(model, row)),
      minResponseBytes: MIN_GRPC_RESPONSE_BYTES,
    };
    return (c, s) => h2loadPoint(target, c, s, path.join(dir, 'h2load.log'));
  };
  const rows: BenchRow[] = [];
  let responsiveness: Awaited<ReturnType<typeof measureResponsiveness>> | { failed: string };
  try {
    await measureRows(rows, [{ key: 'inprocess', label: 'in-process onnxruntime-node (no HTTP)', measure: inProcess }]);
    const floorLabel: [RowKey, string] = ['floor', 'bare Node http server (the HTTP floor)'];
    const startFloor = async (): Promise<{ server: BenchServer; port: number }> => {
      const port = await freePort();
      const entry = tsEntry('bench/httpFloorServer.ts');
      return {
        port,
        server: await BenchServer.start({
          name: 'http-floor',
          command: entry.command,
          args: [...entry.args, String(port)],
          readyUrls: [`http://127.0.0.1:${port}/`],
        }),
      };
    };
    await withServer(rows, startFloor, (s) => [{ key: 'floor', label: floorLabel[1], measure: rest(s.port, 'floor') }], [floorLabel]);

    const hasGrpc = await gatewayHasGrpcPort();
    const noGrpc = { na: 'n/a (gateway has no --grpc-port)' };
    const gatewayLabels: [RowKey, string][] = [
      ['json', 'Modelship REST JSON, no batching'],
      ['jsonBatching', 'Modelship REST JSON, batching (32 rows, 2 ms)'],
      ['binary', 'Modelship REST binary, no batching'],
      ['grpc', 'Modelship gRPC, no batching'],
      ['grpcBatching', 'Modelship gRPC, batching'],
    ];
    const endpoints = [
      { name: 'plain', model: MODEL },
      { name: 'batched', model: MODEL, serving: BATCHING },
    ];
    const binaryHeaders = { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(binary.headerLength) };
    await withServer(
      rows,
      () => startBenchGateway(path.join(dir, 'store'), endpoints, hasGrpc),
      (g) => {
        const measures: Record<string, Measure | { na: string }> = {
          json: rest(g.port, 'plain'),
          jsonBatching: rest(g.port, 'batched'),
          binary: rest(g.port, 'plain', binaryFile, binaryHeaders),
          grpc: g.grpcPort ? lazy(() => grpc(g.grpcPort as number, 'plain')) : noGrpc,
          grpcBatching: g.grpcPort ? lazy(() => grpc(g.grpcPort as number, 'batched')) : noGrpc,
        };
        return gatewayLabels.map(([key, label]) => ({ key, label, measure: measures[key] ?? noGrpc }));
      },
      gatewayLabels,
    );

    const mlserverLabels: [RowKey, string][] = [
      ['mlserver', 'MLServer 1.7.1, ORT runtime, no batching'],
      ['mlserverBatching', 'MLServer 1.7.1, adaptive batching (32, 2 ms)'],
    ];
    await withServer(
      rows,
      () => startMlserver(dir, MODEL),
      (m) => [
        { key: 'mlserver', label: mlserverLabels[0]![1], measure: rest(m.httpPort, 'mlp') },
        { key: 'mlserverBatching', label: mlserverLabels[1]![1], measure: rest(m.httpPort, 'mlp-batched') },
      ],
      mlserverLabels,
    );

    const tritonLabels: [RowKey, string][] = [
      ['tritonHttp', 'Triton (PyTriton 0.7), dynamic batching, HTTP'],
      ['tritonGrpc', 'Triton (PyTriton 0.7), dynamic batching, gRPC'],
    ];
    await withServer(
      rows,
      () => startPytriton(dir, MODEL),
      (t) => [
        { key: 'tritonHttp', label: tritonLabels[0]![1], measure: rest(t.httpPort, 'mlp') },
        { key: 'tritonGrpc', label: tritonLabels[1]![1], measure: lazy(() => grpc(t.grpcPort, 'mlp')) },
      ],
      tritonLabels,
    );

    responsiveness = await measureResponsiveness(dir, script, json).catch((error: unknown) => ({ failed: (error as Error).message }));
  } finally {
    await stopAllServers();
  }
  await rm(dir, { recursive: true, force: true });

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

  const outDir = path.join(PACKAGE_ROOT, '.modelship/bench');
  await mkdir(outDir, { recursive: true });
  const outFile = path.join(outDir, `gateway-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
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
  await writeFile(outFile, JSON.stringify(report, null, 2));
  console.log(`results written to ${path.relative(PACKAGE_ROOT, outFile)}`);
  const anyFailed = rows.some((r) => Object.values(r.points).some((p) => 'failed' in p)) || 'failed' in responsiveness;
  if (anyFailed) process.exitCode = 1;
}

/** A Measure whose set-up (writing a body file) runs on first use. */
function lazy(make: () => Promise<Measure>): Measure {
  let made: Promise<Measure> | undefined;
  return async (c, s) => (await (made ??= make()))(c, s);
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
