/**
 * The in-process row of `npm run bench:gateway`, run as a child process so it has the machine to
 * itself like the servers: onnxruntime-node (the gateway's runtime, same session options) loads the
 * model and `concurrency` async loops call session.run() on one batch-1 row for a fixed time, no
 * HTTP. Prints one JSON LoadPoint line. Usage: inProcessLoop.ts <model.onnx> <concurrency> <seconds> <warmup seconds>
 */
import { readFile } from 'node:fs/promises';
import { OnnxRuntime, SHARED_SESSION_SPIN_US } from '../runtime';
import { featureRow, FEATURES } from './inferBodies';
import type { LoadPoint } from './loadPoint';

async function main(): Promise<void> {
  const [model, concurrency, seconds, warmup] = process.argv.slice(2);
  // instances: 0 runs on this thread: the model alone, no thread hop, the ceiling the gateway is measured against.
  const session = await new OnnxRuntime().load(await readFile(model as string), { spinMicroseconds: SHARED_SESSION_SPIN_US, instances: 0 });
  const feeds = { features: { datatype: 'FP32' as const, shape: [1, FEATURES], data: featureRow() } };
  const loop = async (until: number, samples: number[]): Promise<void> => {
    while (performance.now() < until) {
      const t0 = performance.now();
      await session.run(feeds);
      samples.push(performance.now() - t0);
    }
  };
  const measure = async (ms: number): Promise<{ samples: number[]; seconds: number }> => {
    const samples: number[] = [];
    const started = performance.now();
    await Promise.all(Array.from({ length: Number(concurrency) }, () => loop(started + ms, samples)));
    return { samples, seconds: (performance.now() - started) / 1000 };
  };
  await measure(Number(warmup) * 1000);
  const { samples, seconds: took } = await measure(Number(seconds) * 1000);
  samples.sort((a, b) => a - b);
  const at = (p: number): number => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] as number;
  const point: LoadPoint = { requests: samples.length, requestsPerSecond: samples.length / took, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1) };
  console.log(`IN_PROCESS ${JSON.stringify(point)}`);
  await session.release();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
