/** A bounded closed-loop load generator: `concurrency` workers, stop at a request count or a deadline. */
import { summarizeLatencies } from '../activities/benchmark/latencyStats';
import type { LatencySummary } from '../sdk/schemas';

export interface LoadResult {
  requests: number;
  failures: number;
  seconds: number;
  throughput: number;
  latencyMs: LatencySummary;
}

export async function runLoad(
  call: () => Promise<boolean>,
  options: { concurrency: number; requests: number; maxSeconds: number; warmup?: number },
): Promise<LoadResult> {
  for (let i = 0; i < (options.warmup ?? 20); i++) await call();
  const samples: number[] = [];
  let failures = 0;
  let issued = 0;
  const started = performance.now();
  const deadline = started + options.maxSeconds * 1000;
  const worker = async (): Promise<void> => {
    while (issued < options.requests && performance.now() < deadline) {
      issued++;
      const t0 = performance.now();
      const ok = await call().catch(() => false);
      samples.push(performance.now() - t0);
      if (!ok) failures++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  const seconds = (performance.now() - started) / 1000;
  return { requests: samples.length, failures, seconds, throughput: samples.length / seconds, latencyMs: summarizeLatencies(samples) };
}
