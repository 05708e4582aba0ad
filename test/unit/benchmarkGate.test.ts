/**
 * The benchmark gate's decision, from latencies as the benchmark activity compares them
 * (compareWithStable) to the workflow's verdict (judgeAgainstStable).
 */
import { compareWithStable } from '../../activities/benchmark/stableComparison';
import { judgeAgainstStable, judgeByP50 } from '../../workflows/benchmarkGate';
import type { CandidateBenchmark } from '../../sdk/schemas';

const limits = { maxRegressionPercent: 10, minRegressionMs: 0.05 };
const pick = { label: 'fp32', digest: 'a'.repeat(64) };
const stable = { label: 'stable v1', digest: 'b'.repeat(64) };

/** `n` latencies around `medianMs` with deterministic multiplicative noise of ±`noise` and rare slow outliers. */
function latencies(n: number, medianMs: number, noise: number, seed: number): number[] {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: n }, () => medianMs * (1 + noise * (2 * random() - 1)) * (random() < 0.02 ? 5 : 1));
}

const judge = (stableMs: number[], candidateMs: number[], model = pick) =>
  judgeAgainstStable(model, stable, compareWithStable({ ...model, batchSize: 1 }, stableMs, candidateMs, 0.99), limits);

test('the same latencies pass', () => {
  const gate = judge(latencies(600, 0.02, 0.5, 1), latencies(600, 0.02, 0.5, 2));
  expect(gate).toMatchObject({ gated: true, regressed: false });
  expect(gate.verdict).toMatch(
    /^fp32 vs stable v1: not slower than the allowed 10% with confidence: passes \(median [\d.]+ ms vs [\d.]+ ms over 600 interleaved runs each; ratio [\d.]+, 99% interval [\d.]+–[\d.]+\)$/,
  );
});

test('a clearly slower candidate (2×, low noise) is refused with its numbers', () => {
  const gate = judge(latencies(300, 1, 0.05, 3), latencies(300, 2, 0.05, 4));
  expect(gate).toMatchObject({ gated: true, regressed: true });
  expect(gate.verdict).toMatch(
    /^fp32 is 1\d\d\.\d% \(1\.\d{3} ms\) slower than stable v1 \(median 2\.\d{3} ms vs 1\.\d{3} ms over 300 interleaved runs each; ratio 2\.\d{3}, 99% interval 1\.9\d\d–2\.\d{3}; at most 10% or 0\.05 ms allowed\)$/,
  );
});

test('a slower candidate whose interval reaches the allowed slowdown passes', () => {
  // 12% slower by the median, but with this much noise and few runs that is not sure to be more than 10%.
  expect(judge(latencies(60, 1, 0.5, 5), latencies(60, 1.12, 0.5, 6))).toMatchObject({ gated: true, regressed: false });
});

test('a tiny but significant slowdown under the absolute floor passes', () => {
  // 50% slower and sure of it, but by 0.01 ms on a 0.02 ms model.
  const gate = judge(latencies(600, 0.02, 0.05, 7), latencies(600, 0.03, 0.05, 8));
  expect(gate).toMatchObject({ gated: true, regressed: false });
  expect(gate.verdict).toMatch(/slower than the allowed 10%, but by only 0\.010 ms \(floor 0\.05 ms\): passes/);
});

test('the pick that is the stable artifact is not gated', () => {
  const same = { label: 'fp32', digest: stable.digest };
  const gate = judge(latencies(300, 1, 0.05, 9), latencies(300, 2, 0.05, 10), same);
  expect(gate).toEqual({
    candidate: 'fp32',
    stable: 'stable v1',
    gated: false,
    regressed: false,
    verdict: 'same artifact as stable v1 (bbbbbbbbbbbb): not gated',
  });
});

test('a report of an older worker (no interleaved comparison) is judged by the p50 ratio, as before', () => {
  const measured = (label: string, p50: number): CandidateBenchmark => ({
    label,
    digest: stable.digest,
    runtime: { ortVersion: '1.30.0', executionProvider: 'cpu', intraOpThreads: 0 },
    sessionCreateMs: 1,
    firstInferenceMs: 1,
    peakRssMb: 1,
    batches: [
      {
        batchSize: 1,
        latencyMs: { p50, p90: p50, p95: p50, p99: p50, mean: p50, min: p50, max: p50 },
        throughputPerSec: 1,
        runs: 1,
        windows: 3,
        stable: true,
        samplesMs: [],
      },
    ],
  });
  const slow = judgeByP50({ label: 'fp32', benchmark: measured('fp32', 0.023) }, measured('stable v1', 0.02), limits);
  expect(slow).toMatchObject({ regressed: true, verdict: 'fp32 is 15.0% slower than stable v1 (p50 0.023 ms vs 0.020 ms; at most 10% allowed)' });
  expect(judgeByP50({ label: 'fp32', benchmark: measured('fp32', 0.021) }, measured('stable v1', 0.02), limits)?.regressed).toBe(false);
});
