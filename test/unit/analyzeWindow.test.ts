import { analyzeWindow, type VersionWindow } from '../../activities/analysis/analyzeWindow';
import { compareLatencies } from '../../activities/analysis/latencyComparison';
import { seededRandom } from '../../runtime';
import { analysisConfig } from '../../sdk/schemas';

const config = analysisConfig.parse({});

/** n requests with lognormal-ish latencies around `medianMs`, `errorRate` failures, class predictions. */
function window(n: number, options: { medianMs?: number; errorRate?: number; seed: number; classes?: (r: number) => number }): VersionWindow {
  const random = seededRandom(options.seed);
  const latenciesMs: number[] = [];
  const predictions: number[] = [];
  let errors = 0;
  for (let i = 0; i < n; i++) {
    if (random() < (options.errorRate ?? 0.001)) {
      errors++;
      continue;
    }
    latenciesMs.push((options.medianMs ?? 2) * Math.exp(0.3 * (random() + random() + random() - 1.5)));
    predictions.push((options.classes ?? ((r) => Math.floor(r * 3)))(random()));
  }
  return { requests: n, errors, latenciesMs, predictions };
}

const run = (stable: VersionWindow, canary: VersionWindow) => analyzeWindow({ stable, canary, since: 0, until: 1, replicas: 1 }, config);
const status = (verdict: ReturnType<typeof run>, name: string) => verdict.checks.find((c) => c.name === name)?.status;

test('the same model on both sides passes every check', () => {
  const verdict = run(window(2000, { seed: 1 }), window(2000, { seed: 2 }));
  expect(verdict.status).toBe('pass');
  expect(verdict.checks.map((c) => c.name)).toEqual(['samples', 'error-rate', 'latency', 'prediction-shift']);
});

test('too few samples is inconclusive, never a pass', () => {
  const verdict = run(window(2000, { seed: 1 }), window(40, { seed: 2 }));
  expect(verdict.status).toBe('inconclusive');
  expect(verdict.checks).toHaveLength(1);
  expect(verdict.checks[0]?.detail).toBe('stable 2000, canary 40 request(s); 100 needed each');
});

test('a real error-rate increase fails; the detail carries the numbers', () => {
  const verdict = run(window(2000, { seed: 1, errorRate: 0.005 }), window(2000, { seed: 2, errorRate: 0.05 }));
  expect(status(verdict, 'error-rate')).toBe('fail');
  expect(verdict.status).toBe('fail');
  expect(verdict.checks.find((c) => c.name === 'error-rate')?.detail).toMatch(/^canary 0\.0\d+ vs stable 0\.00\d+ \(z-test p=0\.0000/);
});

test('a sub-millisecond model 30% slower passes (under minSlowdownMs); the same ratio a millisecond slower fails', () => {
  const fast = run(window(2000, { seed: 1, medianMs: 0.3 }), window(2000, { seed: 2, medianMs: 0.39 }));
  expect(fast.checks.find((c) => c.name === 'latency')?.detail).toMatch(/p50 ×1\.\d+ .*p50 \+0\.\d+ ms.*ignored under 0\.5 ms/);
  expect(status(fast, 'latency')).toBe('pass');
  expect(status(run(window(2000, { seed: 1, medianMs: 3 }), window(2000, { seed: 2, medianMs: 3.9 })), 'latency')).toBe('fail');
  const byRatioOnly = analyzeWindow(
    { stable: window(2000, { seed: 1, medianMs: 0.3 }), canary: window(2000, { seed: 2, medianMs: 0.39 }), since: 0, until: 1, replicas: 1 },
    analysisConfig.parse({ latency: { minSlowdownMs: 0 } }),
  );
  expect(status(byRatioOnly, 'latency')).toBe('fail');
});

test('doubled latency fails; a significant but tiny slowdown does not', () => {
  expect(status(run(window(2000, { seed: 1 }), window(2000, { seed: 2, medianMs: 4 })), 'latency')).toBe('fail');
  const tiny = run(window(20000, { seed: 1 }), window(20000, { seed: 2, medianMs: 2.1 }));
  expect(tiny.checks.find((c) => c.name === 'latency')?.values.pValue).toBeLessThan(0.01);
  expect(status(tiny, 'latency')).toBe('pass');
});

/** `window` plus the model's own compute times around `computeMedianMs` (same spread as the latencies). */
function withCompute(w: VersionWindow, computeMedianMs: number, seed: number): VersionWindow {
  return { ...w, computeMs: window(w.latenciesMs.length, { seed, medianMs: computeMedianMs, errorRate: 0 }).latenciesMs };
}

describe('latency judged end to end and by compute time', () => {
  // The README canary: the same sub-millisecond model, its canary slower end to end by thread wake-ups alone.
  const stable = window(2000, { seed: 1, medianMs: 1.7 });
  const slowerEndToEnd = window(2000, { seed: 2, medianMs: 3 });

  test('slower end to end but not in compute: serving overhead, a pass that says so', () => {
    const verdict = run(withCompute(stable, 0.02, 3), withCompute(slowerEndToEnd, 0.02, 4));
    const latency = verdict.checks.find((c) => c.name === 'latency');
    expect(latency?.status).toBe('pass');
    expect(latency?.detail).toMatch(/^end-to-end p50 ×1\.\d+ .*; compute p50 ×(0\.9\d|1\.0\d) .*: serving overhead, not the model$/);
    expect(latency?.values.computeP50Ratio).toBeLessThan(1.1);
  });

  test('slower end to end and in compute fails', () => {
    const verdict = run(withCompute(stable, 1, 3), withCompute(slowerEndToEnd, 2, 4));
    const latency = verdict.checks.find((c) => c.name === 'latency');
    expect(latency?.status).toBe('fail');
    expect(latency?.detail).toMatch(/^end-to-end p50 ×1\.\d+ .*; compute p50 ×(1\.9|2\.0)\d .*min effect 0\.6\)$/);
  });

  test('without compute samples (an older gateway or recorded window) end to end alone judges, as before', () => {
    const verdict = run(stable, slowerEndToEnd);
    expect(status(verdict, 'latency')).toBe('fail');
    expect(verdict.checks.find((c) => c.name === 'latency')?.detail).toMatch(/^p50 ×1\.\d+ \(max 1\.2\)/);
    expect(verdict.checks.find((c) => c.name === 'latency')?.values.computeP50Ratio).toBeUndefined();
    // Too few on one side (most replicas older) is the same as none.
    const partly = run(withCompute(stable, 0.02, 3), { ...slowerEndToEnd, computeMs: [0.02, 0.02] });
    expect(status(partly, 'latency')).toBe('fail');
  });
});

test('shifted predictions fail on PSI', () => {
  const verdict = run(window(2000, { seed: 1 }), window(2000, { seed: 2, classes: (r) => (r < 0.7 ? 0 : 1) }));
  expect(status(verdict, 'prediction-shift')).toBe('fail');
});

describe('prediction shift at thirty samples a side', () => {
  const small = analysisConfig.parse({ minSamples: 30 });
  const shiftCheck = (stable: VersionWindow, canary: VersionWindow) =>
    analyzeWindow({ stable, canary, since: 0, until: 1, replicas: 1 }, small).checks.find((c) => c.name === 'prediction-shift');
  /** Skewed classes with rare ones: where one stray sample moved PSI the most. */
  const skewed = (r: number): number => (r < 0.5 ? 0 : r < 0.8 ? 1 : r < 0.93 ? 2 : r < 0.98 ? 3 : 4);
  const draws = 500;

  test('identical models: PSI alone would fail many draws; with the test of homogeneity, at most about alpha (0.01) of them', () => {
    for (const classes of [skewed, (r: number) => Math.floor(r * 3)]) {
      let overPsi = 0;
      let failed = 0;
      for (let seed = 1; seed <= draws; seed++) {
        const check = shiftCheck(window(30, { seed, classes }), window(30, { seed: seed + 100_000, classes }));
        if ((check?.values.psi ?? 0) > small.predictions.maxPsi) overPsi++;
        if (check?.status === 'fail') failed++;
      }
      expect(overPsi).toBeGreaterThan(draws * 0.1);
      expect(failed).toBeLessThanOrEqual(draws * 0.02);
    }
  });

  test('a real shift of the class mix still fails nearly every draw; the detail names both numbers', () => {
    let failed = 0;
    for (let seed = 1; seed <= draws; seed++) {
      const check = shiftCheck(window(30, { seed }), window(30, { seed: seed + 100_000, classes: (r) => (r < 0.7 ? 0 : 1) }));
      if (check?.status === 'fail') failed++;
    }
    expect(failed).toBeGreaterThan(draws * 0.85);
    expect(shiftCheck(window(30, { seed: 1 }), window(30, { seed: 2, classes: () => 0 }))?.detail).toMatch(
      /^PSI of canary predictions against stable \d+\.\d{4} \(max 0\.25\); chi-square \d+\.\d{2} on 2 df, p=0\.0000 \(fails if PSI > 0\.25 and p < 0\.01\)$/,
    );
  });
});

describe("a rollout's levels spread over its planned analyses", () => {
  const small = analysisConfig.parse({ minSamples: 30 });
  const shiftCheck = (stable: VersionWindow, canary: VersionWindow, analyses: number) =>
    analyzeWindow({ stable, canary, since: 0, until: 1, replicas: 1 }, small, analyses).checks.find((c) => c.name === 'prediction-shift');
  test('over 9 analyses, identical models fail about alpha of rollouts, not of windows; a real shift still fails nearly every rollout', () => {
    // 100 rollouts of 9 windows, 30 samples a side each: the smallest windows, where the tests have least power.
    const rollouts = 100;
    let identicalRollouts = 0;
    let shiftedWindows = 0;
    let shiftedRollouts = 0;
    for (let r = 0; r < rollouts; r++) {
      let identical = false;
      let shifted = false;
      for (let w = 0; w < 9; w++) {
        const seed = 1 + r * 9 + w;
        if (shiftCheck(window(30, { seed }), window(30, { seed: seed + 100_000 }), 9)?.status === 'fail') identical = true;
        if (shiftCheck(window(30, { seed }), window(30, { seed: seed + 100_000, classes: (x) => (x < 0.7 ? 0 : 1) }), 9)?.status === 'fail') {
          shifted = true;
          shiftedWindows++;
        }
      }
      if (identical) identicalRollouts++;
      if (shifted) shiftedRollouts++;
    }
    // At the full level per window, ~9 x 0.5-1 % of these rollouts would fail; spread, at most about alpha (0.01).
    expect(identicalRollouts).toBeLessThanOrEqual(2);
    // A window alone now catches the shift about half the time at 30 samples; the rollout's 9 windows nearly always.
    expect(shiftedWindows).toBeGreaterThan(rollouts * 9 * 0.4);
    expect(shiftedRollouts).toBeGreaterThanOrEqual(rollouts * 0.99);
  });

  test('each check tests at alpha / analyses and says so; one analysis reads as before', () => {
    // p of this error-rate increase (2% vs 0.1%, 2000 a side) lies between 0.01 / 9 and 0.01: it fails alone, not over 9.
    const stable = window(2000, { seed: 1, errorRate: 0.001 });
    const canary = window(2000, { seed: 2, errorRate: 0.02 });
    const errorRate = (analyses: number) =>
      analyzeWindow({ stable, canary, since: 0, until: 1, replicas: 1 }, config, analyses).checks.find((c) => c.name === 'error-rate');
    const p = errorRate(1)?.values.pValue as number;
    expect(p).toBeLessThan(0.01);
    expect(errorRate(1)?.detail).toMatch(/fails if > \+0\.01 and p < 0\.01\)$/);
    expect(errorRate(9)?.detail).toMatch(/fails if > \+0\.01 and p < 0\.0011 \(0\.01 over 9 analyses\)\)$/);
    expect(errorRate(Math.ceil(0.01 / p) + 1)?.status).toBe('pass');
    expect(errorRate(1)?.status).toBe('fail');
    expect(shiftCheck(window(30, { seed: 1 }), window(30, { seed: 2, classes: () => 0 }), 9)?.detail).toMatch(/and p < 0\.0011 \(0\.01 over 9 analyses\)\)$/);
  });
});

test('shadow agreement below the minimum fails', () => {
  const verdict = analyzeWindow(
    { stable: window(500, { seed: 1 }), shadow: { compared: 500, failed: 0, rows: 500, agreedRows: 300 }, since: 0, until: 1, replicas: 2 },
    config,
  );
  expect(verdict.status).toBe('fail');
  expect(verdict.checks.find((c) => c.name === 'shadow-agreement')?.detail).toBe(
    'mirrored answers agree on 0.6000 of rows (min 0.95); candidate failed 0 of 500',
  );
});

test('a p99 resting on a request or two is not judged: one slow canary request among 75 does not fail it; a slow tail among 600 does', () => {
  const steady = (n: number, ms: number) => Array.from({ length: n }, (_, i) => ms + (i % 10) * 0.01);
  const fewCanary = steady(75, 1).map((ms, i) => (i === 0 ? ms + 20 : ms));
  const few = compareLatencies(steady(300, 1), fewCanary, config);
  expect(few?.detail).toContain('not judged under 500 samples a side');
  expect(few?.slower).toBe(false);
  const manyCanary = steady(600, 1).map((ms, i) => (i % 20 === 0 ? ms + 50 : ms * 1.05));
  const many = compareLatencies(steady(600, 1), manyCanary, config);
  expect(many?.detail).toContain('(max 1.5)');
  expect(many?.slower).toBe(true);
});
