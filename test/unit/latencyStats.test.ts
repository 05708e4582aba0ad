import { percentile, summarizeLatencies } from '../../activities/benchmark/latencyStats';

test('nearest-rank percentiles', () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
  expect(percentile(sorted, 0.5)).toBe(50);
  expect(percentile(sorted, 0.99)).toBe(99);
  expect(percentile(sorted, 1)).toBe(100);
  expect(percentile([7], 0.5)).toBe(7);
  expect(percentile([], 0.5)).toBeNaN();
});

test('summary of unsorted samples', () => {
  expect(summarizeLatencies([3, 1, 2, 4])).toEqual({ p50: 2, p90: 4, p95: 4, p99: 4, mean: 2.5, min: 1, max: 4 });
});
