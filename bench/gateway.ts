/**
 * `npm run bench:gateway`: throughput and latency of the gateway against in-process onnxruntime
 * (the limit), measured in one run on this machine, at several concurrencies:
 *   in-process   session.run() in this process, batch 1
 *   gateway      a `modelship serve` process over loopback HTTP/JSON, no batching
 *   batching     the same gateway, dynamic batching (max 32 rows, 2 ms queue delay)
 * The load generator is bounded (request count and duration) and talks to loopback only.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { OnnxRuntime, profileFeeds } from '../runtime';
import { writeRouting } from '../activities/rollout/releaseVersion';
import { FsArtifactStore, putModel } from '../store';
import { ManagedProcess } from '../cli/dev/childProcess';
import { freePort } from '../cli/dev/ports';
import { PACKAGE_ROOT, tsEntry } from '../cli/dev/projectPaths';
import { runLoad, type LoadResult } from './loadGenerator';

const CONCURRENCIES = [1, 8, 32];
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const MAX_SECONDS = Number(process.env.BENCH_MAX_SECONDS ?? 8);
const MODEL = path.join(PACKAGE_ROOT, 'examples/models/mlp_bench.onnx');

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modelship-bench-'));
  const store = new FsArtifactStore(path.join(dir, 'store'));
  const bytes = await readFile(MODEL);
  const { digest } = await putModel(store, bytes, 'onnx');
  await writeRouting(store, 'plain', 'bench', [{ version: 'v1', digest, weight: 100 }]);
  await writeRouting(store, 'batched', 'bench', [
    { version: 'v1', digest, weight: 100, serving: { maxConcurrency: 2, batching: { maxBatchSize: 32, maxQueueDelayMicroseconds: 2000 } } },
  ]);

  const session = await new OnnxRuntime().load(bytes, { allowSpinning: false });
  const feeds = profileFeeds(session.signature.inputs);
  const body = JSON.stringify({
    inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 256], data: Array.from(feeds.features?.data as Float32Array) }],
  });

  const port = await freePort();
  const entry = tsEntry('cli/main.ts');
  const gateway = await ManagedProcess.start({
    name: 'gateway',
    command: entry.command,
    args: [...entry.args, 'serve', '--port', String(port), '--store', store.uri],
    cwd: PACKAGE_ROOT,
    readyPattern: /serving KServe v2 at/,
  });
  const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
  const post = (endpoint: string) => async (): Promise<boolean> => {
    const response = await undiciFetch(`http://127.0.0.1:${port}/v2/models/${endpoint}/infer`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      dispatcher: agent,
    });
    await response.arrayBuffer();
    return response.ok;
  };

  const rows: { scenario: string; concurrency: number; result: LoadResult }[] = [];
  try {
    for (const concurrency of CONCURRENCIES) {
      const options = { concurrency, requests: REQUESTS, maxSeconds: MAX_SECONDS };
      rows.push({ scenario: 'in-process', concurrency, result: await runLoad(async () => (await session.run(feeds), true), options) });
      rows.push({ scenario: 'gateway', concurrency, result: await runLoad(post('plain'), options) });
      rows.push({ scenario: 'batching', concurrency, result: await runLoad(post('batched'), options) });
    }
  } finally {
    await agent.close();
    await gateway.stop();
    await session.release();
    await rm(dir, { recursive: true, force: true });
  }

  console.log(
    `\nmodel ${path.basename(MODEL)} (256-1024-1024-10 MLP, ${(bytes.length / 1e6).toFixed(1)} MB), batch 1 per request, ${os.availableParallelism()} cores`,
  );
  console.log('scenario     conc   req/s   p50 ms   p99 ms  fail   ×in-process');
  for (const { scenario, concurrency, result } of rows) {
    const base = rows.find((r) => r.scenario === 'in-process' && r.concurrency === concurrency)?.result.throughput ?? 1;
    console.log(
      `${scenario.padEnd(12)} ${String(concurrency).padStart(4)} ${result.throughput.toFixed(0).padStart(7)} ${result.latencyMs.p50.toFixed(2).padStart(8)} ${result.latencyMs.p99
        .toFixed(2)
        .padStart(8)} ${String(result.failures).padStart(5)}   ${(result.throughput / base).toFixed(2)}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
