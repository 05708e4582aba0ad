/**
 * The benchmark gate over every target's pick (workflows/targetGates.ts): a GPU pick slower than the
 * stable GPU pick is refused even when the CPU pick, the one CPU replicas serve, passes.
 */
import { gatePicks } from '../../workflows/targetGates';
import type { BenchmarkReport, Candidate, CandidateBenchmark, StableComparison, Target } from '../../sdk/schemas';

const limits = { maxRegressionPercent: 10, minRegressionMs: 0.05 };
const digest = (c: string): string => c.repeat(64);

const pick = (target: Target, label: string, d: string): Candidate => ({
  label,
  target,
  pass: label,
  artifact: { digest: d, key: `models/${d}.onnx`, sizeBytes: 1, format: 'onnx' },
  selected: true,
  verdict: 'fastest',
});

const measured = (label: string, d: string): CandidateBenchmark => ({
  label,
  digest: d,
  runtime: { ortVersion: '1.30.0', executionProvider: 'cpu', intraOpThreads: 0 },
  sessionCreateMs: 1,
  firstInferenceMs: 1,
  peakRssMb: 1,
  batches: [],
});

/** A comparison of `label` against stable: `ratio` times its median, the interval tight around it. */
const comparison = (label: string, d: string, ratio: number): StableComparison => ({
  label,
  digest: d,
  batchSize: 1,
  samples: 300,
  candidateMedianMs: ratio,
  stableMedianMs: 1,
  ratio,
  ratioLow: ratio - 0.02,
  ratioHigh: ratio + 0.02,
  confidence: 0.99,
});

const report = (target: Target, stable: string, comparisons: StableComparison[]): BenchmarkReport => ({
  target,
  worker: `${target}-worker`,
  warmupRuns: 1,
  candidates: comparisons.map((c) => measured(c.label, c.digest)),
  baseline: measured('stable v1', stable),
  comparisons,
});

const picks = new Map<Target, Candidate>([
  ['cpu', pick('cpu', 'int8', digest('c'))],
  ['gpu', pick('gpu', 'fp16', digest('g'))],
]);

test('each target pick is judged against its own report: a GPU pick 2x slower than the stable GPU pick regresses while the CPU pick passes', () => {
  const reports = [report('cpu', digest('a'), [comparison('int8', digest('c'), 0.9)]), report('gpu', digest('b'), [comparison('fp16', digest('g'), 2)])];
  const gates = gatePicks(['cpu', 'gpu'], picks, reports, limits);
  expect(gates.map(({ target, gate }) => [target, gate.regressed])).toEqual([
    ['cpu', false],
    ['gpu', true],
  ]);
  expect(gates[1]?.report).toBe(reports[1]);
  expect(gates[1]?.gate.verdict).toMatch(/^fp16 is 100\.0% \(1\.000 ms\) slower than stable v1/);
});

test('the GPU pick that is the stable GPU pick is not gated; a target without a report or without a stable baseline is left out', () => {
  const same = report('gpu', digest('g'), [comparison('fp16', digest('g'), 2)]);
  expect(gatePicks(['gpu'], picks, [same], limits)).toMatchObject([{ target: 'gpu', gate: { gated: false, regressed: false } }]);
  const noBaseline = { ...report('gpu', digest('b'), []), baseline: undefined };
  expect(gatePicks(['cpu', 'gpu'], picks, [noBaseline], limits)).toEqual([]);
});
