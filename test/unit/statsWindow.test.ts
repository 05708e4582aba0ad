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

test("a version's window carries the model's compute times next to the end-to-end latencies; samples without one are left out", () => {
  const window = new StatsWindow();
  window.record('e', 'v1', { t: 1, latencyMs: 2.5, computeMs: 0.02, ok: true });
  window.record('e', 'v1', { t: 2, latencyMs: 3, ok: true }); // (not measured)
  window.record('e', 'v1', { t: 3, latencyMs: 4, computeMs: 1, ok: false });
  window.recordShadow('e', 'v2', { t: 4, rows: 1, agreedRows: 1, maxAbsDiff: 0, failed: false, latencyMs: 1.5, computeMs: 0.03 });
  const snapshot = window.snapshot('e', 0, 10);
  expect(snapshot.versions.v1).toMatchObject({ requests: 3, errors: 1, latenciesMs: [2.5, 3], computeMs: [0.02] });
  expect(snapshot.shadow.v2).toMatchObject({ latenciesMs: [1.5], computeMs: [0.03] });
});
