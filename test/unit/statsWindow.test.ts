import { StatsWindow } from '../../serving/statsWindow';

test('a full window keeps at most a tenth more than maxSamples (the newest), trimming in chunks', () => {
  const window = new StatsWindow(60_000, 100);
  for (let i = 0; i < 1_000; i++) window.record('e', 'v1', { t: 1_000 + i, latencyMs: i, ok: true });
  const { requests, latenciesMs } = window.snapshot('e', 0, 10_000).versions.v1 ?? { requests: 0, latenciesMs: [] };
  expect(requests).toBeGreaterThanOrEqual(100);
  expect(requests).toBeLessThanOrEqual(110);
  expect(latenciesMs.at(-1)).toBe(999);
  expect(latenciesMs[0]).toBe(1_000 - requests);
});

test('samples older than the retention go once the oldest is twice the retention old', () => {
  const window = new StatsWindow(1_000, 100_000);
  for (let t = 0; t <= 2_500; t += 100) window.record('e', 'v1', { t, latencyMs: 1, ok: true });
  const all = window.snapshot('e', 0, 10_000).versions.v1;
  // At t=2,100 the oldest (0) was over 2,000 ms old: everything before 1,100 went.
  expect(all?.requests).toBe(15);
});
