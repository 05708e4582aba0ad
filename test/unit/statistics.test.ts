import {
  compareProportions,
  fisherExact,
  hodgesLehmannShift,
  logGamma,
  mannWhitneyU,
  normalQuantile,
  normalSf,
  chiSquareHomogeneity,
  chiSquareSf,
  predictionShift,
} from '../../activities/analysis/statistics';

/** The population stability index of `actual` against `expected` ({@link predictionShift}'s). */
const psiOf = (expected: readonly number[], actual: readonly number[]): number => predictionShift(expected, actual).psi;

// Reference values computed with SciPy 1.17 (scipy.stats.fisher_exact, mannwhitneyu asymptotic with
// continuity correction, norm.sf).
test('normal tail and log-gamma', () => {
  expect(normalSf(0)).toBeCloseTo(0.5, 7);
  expect(normalSf(1.959963985)).toBeCloseTo(0.025, 6);
  expect(logGamma(10)).toBeCloseTo(Math.log(362880), 9);
});

test('Fisher exact matches SciPy', () => {
  expect(fisherExact(3, 97, 12, 88)).toBeCloseTo(0.028671314973177094, 6);
  expect(fisherExact(0, 50, 4, 46)).toBeCloseTo(0.11746329272102468, 6);
});

test('error rates: z-test for large counts, Fisher for small ones', () => {
  const large = compareProportions(30, 1000, 55, 1000);
  expect(large.method).toBe('z-test');
  expect(large.pValue).toBeCloseTo(0.005585746187503892, 5);
  const small = compareProportions(0, 50, 4, 50);
  expect(small.method).toBe('fisher-exact');
  expect(small.pValue).toBeCloseTo(0.11746329272102468, 6);
});

test('Mann-Whitney U matches SciPy, with and without ties', () => {
  const shifted = mannWhitneyU([5, 6, 7, 8, 9, 10, 11, 12, 13], [1, 2, 3, 4, 5, 6, 7, 8]);
  expect(shifted.u).toBe(8);
  expect(shifted.pValue).toBeCloseTo(0.007985117693224414, 5);
  expect(shifted.probabilityGreater).toBeCloseTo(8 / 72, 9);
  const ties = mannWhitneyU([2, 3, 3, 4, 4, 5], [1, 1, 2, 2, 3, 3]);
  expect(ties.u).toBe(5);
  expect(ties.pValue).toBeCloseTo(0.039393270229857606, 5);
});

test('PSI is ~0 for the same distribution and large for a shifted one', () => {
  const same = Array.from({ length: 1000 }, (_, i) => i % 3);
  expect(psiOf(same, same)).toBeCloseTo(0, 9);
  const shifted = Array.from({ length: 1000 }, (_, i) => (i % 10 < 6 ? 0 : i % 3));
  expect(psiOf(same, shifted)).toBeGreaterThan(0.25);
  const continuous = Array.from({ length: 1000 }, (_, i) => Math.sin(i));
  expect(
    psiOf(
      continuous,
      continuous.map((v) => v + 0.01),
    ),
  ).toBeLessThan(0.1);
  expect(
    psiOf(
      continuous,
      continuous.map((v) => v + 1),
    ),
  ).toBeGreaterThan(0.25);
});

test('normal quantile inverts the normal tail', () => {
  expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 6);
  expect(normalQuantile(0.5)).toBeCloseTo(0, 6);
  expect(normalQuantile(0.005)).toBeCloseTo(-2.5758293035, 6);
});

test('Hodges-Lehmann shift and its Mann-Whitney interval', () => {
  const baseline = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  // A constant shift: every pairwise difference is centred on it.
  const shifted = hodgesLehmannShift(
    baseline,
    baseline.map((v) => v + 3),
    0.95,
  );
  expect(shifted.estimate).toBe(3);
  expect(shifted.low).toBeLessThan(3);
  expect(shifted.high).toBeGreaterThan(3);
  // 100 differences; k = floor(50 − 1.96·√(100·21/12)) = 24: the 25th smallest and the 25th largest.
  expect([shifted.low, shifted.high]).toEqual([0, 6]);
  const none = hodgesLehmannShift(baseline, baseline, 0.95);
  expect(none.estimate).toBe(0);
  expect(none.low).toBeLessThan(0);
  expect(none.high).toBeGreaterThan(0);
  expect(hodgesLehmannShift([], [1], 0.95).estimate).toBeNaN();
});

test('chi-square tail and the test of homogeneity match SciPy', () => {
  // scipy.stats.chi2.sf
  expect(chiSquareSf(9.21, 2)).toBeCloseTo(0.01000170200470548, 12);
  expect(chiSquareSf(3.5, 1)).toBeCloseTo(0.0613688291394023, 12);
  expect(chiSquareSf(25, 10)).toBeCloseTo(0.005345505487134069, 12);
  expect(chiSquareSf(0.3, 4)).toBeCloseTo(0.9898141728888165, 12);
  expect(chiSquareSf(100, 3) / 1.5541594313896026e-21).toBeCloseTo(1, 9);
  // scipy.stats.chi2_contingency([[10, 12, 8], [15, 5, 10]], correction=False)
  const test = chiSquareHomogeneity([10, 12, 8], [15, 5, 10]);
  expect(test.chiSquare).toBeCloseTo(4.104575163398692, 9);
  expect(test.degreesOfFreedom).toBe(2);
  expect(test.pValue).toBeCloseTo(0.12844074855839752, 9);
  // Buckets empty on both sides carry no degree of freedom; one bucket, or an empty sample, none at all.
  expect(chiSquareHomogeneity([10, 0, 12, 8], [15, 0, 5, 10])).toMatchObject({ degreesOfFreedom: 2, pValue: test.pValue });
  expect(chiSquareHomogeneity([30], [30])).toEqual({ chiSquare: 0, degreesOfFreedom: 0, pValue: 1 });
  expect(chiSquareHomogeneity([0, 0], [3, 4]).pValue).toBe(1);
});

test('PSI smooths bucket counts: a class seen once in thirty samples, and never in the other thirty, is a small shift', () => {
  const stable = Array.from({ length: 30 }, (_, i) => i % 3);
  const canary = [...stable.slice(0, 29), 7];
  const shift = predictionShift(stable, canary);
  // (A floor of 1e-4 on the empty share made this ~0.2 by the one sample alone, most of the usual 0.25 limit.)
  expect(shift.psi).toBeLessThan(0.1);
  expect(shift.pValue).toBeGreaterThan(0.3);
  expect(predictionShift([], [1])).toEqual({ psi: 0, chiSquare: 0, degreesOfFreedom: 0, pValue: 1 });
});
