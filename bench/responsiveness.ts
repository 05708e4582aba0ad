/**
 * The responsiveness section of `npm run bench:gateway`, against the issue's goal: "during a 5 s
 * inference on one endpoint, health answers in < 50 ms and another endpoint's p99 stays within 2×
 * its idle p99". One gateway serves `slow` (examples/models/matmul_chain.onnx: a [1,n] request
 * makes ~32·n³ multiply-adds; n is calibrated so one request takes about 5 s) and `plain` (the MLP). Measured:
 * `plain`'s p99 under wrk (one connection) idle, then again while a slow request runs, with a health
 * probe (GET /v2/health/live) every 100 ms from this process's timer.
 */
import path from 'node:path';
import { PACKAGE_ROOT } from '../cli/dev/projectPaths';
import { NoRequestsCompleted, wrkPoint, type WrkTarget } from './wrkLoad';
import { startBenchGateway } from './modelshipGateway';
import type { LoadPoint } from './loadPoint';

const SLOW_SECONDS = Number(process.env.BENCH_SLOW_SECONDS ?? 5);
/** The largest n tried (an n×n matrix inside the model: 4·n² bytes per intermediate). */
const MAX_N = 4096;
/** The n of the calibration request. */
const PROBE_N = 600;

export interface ResponsivenessResult {
  slowN: number;
  slowRequestMs: number;
  health: { probes: number; maxMs: number; p99Ms: number };
  plainIdle: LoadPoint;
  /** `lowerBound`: no request completed during the window, so its length is what is reported. */
  plainDuringSlow: LoadPoint & { lowerBound?: boolean };
  healthPass: boolean;
  plainPass: boolean;
}

/** One matmul_chain request of size n (values small enough that Tanh does not saturate to a constant). */
async function slowRequest(port: number, n: number): Promise<number> {
  const data = Array.from({ length: n }, (_, i) => ((i % 7) - 3) / (3 * Math.sqrt(n)));
  const body = JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, n], data }] });
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/v2/models/slow/infer`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`slow request (n=${n}) answered ${response.status}`);
  return performance.now() - started;
}

/** Probes health every 100 ms until `until` settles; returns each probe's latency. */
async function probeHealth(port: number, until: Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  let done = false;
  void until.finally(() => (done = true));
  while (!done) {
    const t0 = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/v2/health/live`);
    await response.arrayBuffer();
    latencies.push(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return latencies;
}

export async function measureResponsiveness(workDir: string, wrkScript: string, plainBodyFile: string): Promise<ResponsivenessResult> {
  const slowModel = path.join(PACKAGE_ROOT, 'examples/models/matmul_chain.onnx');
  const gateway = await startBenchGateway(path.join(workDir, 'store-responsiveness'), [
    { name: 'slow', model: slowModel },
    { name: 'plain', model: path.join(PACKAGE_ROOT, 'examples/models/mlp_bench.onnx') },
  ]);
  try {
    const plain: WrkTarget = {
      url: `http://127.0.0.1:${gateway.port}/v2/models/plain/infer`,
      bodyFile: plainBodyFile,
      headers: { 'content-type': 'application/json' },
    };
    await wrkPoint(wrkScript, plain, 1, 1);
    const plainIdle = await wrkPoint(wrkScript, plain, 1, 3);
    // Calibrate n from one request: the model's work grows with n³.
    const probeMs = await slowRequest(gateway.port, PROBE_N);
    const slowN = Math.min(MAX_N, Math.round((PROBE_N * ((SLOW_SECONDS * 1000) / probeMs) ** (1 / 3)) / 16) * 16);
    const slow = slowRequest(gateway.port, slowN);
    const health = probeHealth(gateway.port, slow);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const duringSeconds = Math.max(1, Math.floor(SLOW_SECONDS * 0.6));
    const plainDuringSlow = await wrkPoint(wrkScript, plain, 1, duringSeconds).catch((error: unknown) => {
      if (!(error instanceof NoRequestsCompleted)) throw error;
      // Not one answer while the slow request ran: the latency is at least the whole window.
      const ms = duringSeconds * 1000;
      return { requests: 0, requestsPerSecond: 0, p50Ms: ms, p99Ms: ms, maxMs: ms, lowerBound: true };
    });
    const [slowRequestMs, healthMs] = await Promise.all([slow, health]);
    const sorted = [...healthMs].sort((a, b) => a - b);
    const summary = { probes: sorted.length, maxMs: sorted.at(-1) ?? NaN, p99Ms: sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))] ?? NaN };
    return {
      slowN,
      slowRequestMs,
      health: summary,
      plainIdle,
      plainDuringSlow,
      healthPass: summary.maxMs < 50,
      plainPass: plainDuringSlow.p99Ms <= 2 * plainIdle.p99Ms,
    };
  } finally {
    await gateway.server.stop();
  }
}
