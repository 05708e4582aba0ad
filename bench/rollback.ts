/**
 * `npm run bench:rollback`: how long from "the rollout must stop" to "every gateway replica serves
 * the stable version, verified by inference" (the workflow's `rollback.tookMs`), with 1 and 3
 * replicas, under live traffic; ratios against 1 replica measured in the same run. Each run is a
 * canary at 50% aborted mid-bake (an abort takes the same compensation path as failed analysis).
 * Also reports the traffic's failed requests (should be 0).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ManagedProcess } from '../cli/dev/childProcess';
import { startDevEnvironment } from '../cli/dev/devEnvironment';
import { freePort } from '../cli/dev/ports';
import { PACKAGE_ROOT, tsEntry } from '../cli/dev/projectPaths';
import { startTraffic } from '../cli/trafficGenerator';
import { ModelshipClient } from '../sdk/client';
import type { PipelineSpecInput } from '../sdk/schemas';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ENDPOINT = 'rollback-bench';

const spec = (version: string, rollout: PipelineSpecInput['rollout']): PipelineSpecInput => ({
  endpoint: ENDPOINT,
  version,
  model: { source: pathToFileURL(path.join(PACKAGE_ROOT, 'examples/models/classifier.onnx')).href, task: 'classifier' },
  stages: { optimize: { enabled: false }, benchmark: { enabled: false } },
  rollout,
});

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

async function main(): Promise<void> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'modelship-bench-rollback-'));
  const env = await startDevEnvironment({ stateDir, temporalPort: await freePort(), gatewayPort: await freePort(), uiPort: null, persist: false });
  const client = await ModelshipClient.connect({ address: env.temporalAddress, store: env.storeUri });
  const replicas: ManagedProcess[] = [];
  const rows: { replicas: number; tookMs: number[]; failed: number; requests: number }[] = [];
  try {
    if ((await (await client.deploy(spec('stable', { strategy: 'direct' }))).result()).outcome !== 'promoted')
      throw new Error('the stable version was not promoted');
    for (const count of [1, 3]) {
      while (replicas.length + 1 < count) {
        const entry = tsEntry('cli/main.ts');
        replicas.push(
          await ManagedProcess.start({
            name: `gateway-${replicas.length + 2}`,
            command: entry.command,
            args: [...entry.args, 'serve', '--port', String(await freePort()), '--store', env.storeUri, '--replica-id', `bench-${replicas.length + 2}`],
            env: { ...process.env, MODELSHIP_ADMIN_TOKEN: env.adminToken },
            cwd: PACKAGE_ROOT,
            logTo: path.join(env.logDir, `gateway-${replicas.length + 2}.log`),
            readyPattern: /serving KServe v2 at/,
            readyTimeoutMs: 60_000,
          }),
        );
      }
      const traffic = startTraffic({ gateway: env.gatewayUrl, endpoint: ENDPOINT, requests: 10_000_000, concurrency: 2, durationMs: 600_000 });
      const tookMs: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const deployment = await client.deploy(
          spec(`r${count}-${run}`, { strategy: 'canary', watch: { duration: 0 }, steps: [{ weight: 50, bake: '60s', analysis: false }], minReplicas: count }),
        );
        for (let i = 0; i < 600 && (await deployment.status()).rollout?.state !== 'baking'; i++) await new Promise((r) => setTimeout(r, 50));
        await deployment.abort({ by: 'bench', reason: 'measure the rollback' });
        const result = await deployment.result();
        const rollback = result.rollout?.rollback;
        if (result.outcome !== 'rolledBack' || !rollback) throw new Error(`run ${run}: expected a rollback, got ${result.outcome}`);
        if (Object.keys(rollback.verified).join() !== 'stable') throw new Error(`run ${run}: verified ${JSON.stringify(rollback.verified)}`);
        tookMs.push(rollback.tookMs);
      }
      const served = await traffic.stop();
      rows.push({ replicas: count, tookMs, failed: served.failures, requests: served.issued });
    }
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
    await client.close();
    await env.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
  const baseline = percentile(rows[0]?.tookMs ?? [1], 0.5);
  console.log(`rollback: decision → every replica serves stable (verified by inference), ${RUNS} runs each, under traffic`);
  console.log('replicas   p50 ms   p90 ms   max ms   ×1 replica (p50)   requests   failed');
  for (const row of rows) {
    const p50 = percentile(row.tookMs, 0.5);
    console.log(
      `${String(row.replicas).padStart(8)} ${p50.toFixed(0).padStart(8)} ${percentile(row.tookMs, 0.9).toFixed(0).padStart(8)} ${Math.max(...row.tookMs)
        .toFixed(0)
        .padStart(8)} ${(p50 / baseline).toFixed(2).padStart(18)} ${String(row.requests).padStart(10)} ${String(row.failed).padStart(8)}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
