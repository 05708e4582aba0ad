/**
 * The statistics canary analysis and the benchmark gate rest on, pure and dependency-free: error-rate
 * tests (two-proportion z-test, Fisher's exact test for small counts), the Mann-Whitney U rank test
 * with an effect size, the Hodges-Lehmann shift with its Mann-Whitney confidence interval, the
 * population stability index and the chi-square test of homogeneity beside it. Checked against
 * SciPy in the unit tests.
 */

/** ln Γ(x), Lanczos approximation (g = 7, n = 9); ~15 significant digits for x > 0. */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** P(Z > z) for a standard normal Z (complementary error function, W. J. Cody's rational fit via erfc). */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** The z with P(Z ≤ z) = `p` for a standard normal Z (bisection on {@link normalSf}; as accurate as its erfc fit, about 1e-7). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  let low = -40;
  let high = 40;
  while (high - low > 1e-10) {
    const mid = (low + high) / 2;
    if (1 - normalSf(mid) < p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** erfc with relative error < 1.2e-7 everywhere (Numerical Recipes' Chebyshev fit). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export interface ProportionTest {
  method: 'z-test' | 'fisher-exact';
  /** Error rates of the baseline (a) and candidate (b). */
  rateA: number;
  rateB: number;
  /** Two-sided p-value of "the rates differ". */
  pValue: number;
}

/**
 * Do two error rates differ? Pooled two-proportion z-test, or Fisher's exact test when any expected
 * cell count is below 5 (where the normal approximation fails).
 */
export function compareProportions(errorsA: number, totalA: number, errorsB: number, totalB: number): ProportionTest {
  const rateA = totalA > 0 ? errorsA / totalA : 0;
  const rateB = totalB > 0 ? errorsB / totalB : 0;
  const pooled = totalA + totalB > 0 ? (errorsA + errorsB) / (totalA + totalB) : 0;
  const expected = [totalA * pooled, totalA * (1 - pooled), totalB * pooled, totalB * (1 - pooled)];
  if (expected.some((e) => e < 5)) {
    return { method: 'fisher-exact', rateA, rateB, pValue: fisherExact(errorsA, totalA - errorsA, errorsB, totalB - errorsB) };
  }
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / totalA + 1 / totalB));
  const z = se > 0 ? (rateB - rateA) / se : 0;
  return { method: 'z-test', rateA, rateB, pValue: Math.min(1, 2 * normalSf(Math.abs(z))) };
}

/** Two-sided Fisher exact test of the 2×2 table [[a, b], [c, d]] (sum of tables no likelier than observed). */
export function fisherExact(a: number, b: number, c: number, d: number): number {
  const row1 = a + b;
  const col1 = a + c;
  const n = a + b + c + d;
  const logChoose = (n_: number, k: number): number => logGamma(n_ + 1) - logGamma(k + 1) - logGamma(n_ - k + 1);
  const logP = (x: number): number => logChoose(col1, x) + logChoose(n - col1, row1 - x) - logChoose(n, row1);
  const observed = logP(a);
  let p = 0;
  for (let x = Math.max(0, row1 + col1 - n); x <= Math.min(row1, col1); x++) {
    const lp = logP(x);
    if (lp <= observed + 1e-7) p += Math.exp(lp);
  }
  return Math.min(1, p);
}

export interface RankTest {
  /** U of the candidate sample: pairs (candidate > baseline), ties counting ½. */
  u: number;
  /** Two-sided p-value (normal approximation, tie and continuity corrected). */
  pValue: number;
  /** P(a random candidate sample is larger than a random baseline sample): 0.5 means no shift. */
  probabilityGreater: number;
}

/** Mann-Whitney U test of `candidate` against `baseline`. */
export function mannWhitneyU(baseline: readonly number[], candidate: readonly number[]): RankTest {
  const n1 = candidate.length;
  const n2 = baseline.length;
  if (n1 === 0 || n2 === 0) return { u: 0, pValue: 1, probabilityGreater: 0.5 };
  const all = [...candidate.map((v) => ({ v, c: true })), ...baseline.map((v) => ({ v, c: false }))].sort((x, y) => x.v - y.v);
  const n = all.length;
  let rankSumCandidate = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && (all[j + 1] as { v: number }).v === (all[i] as { v: number }).v) j++;
    const rank = (i + j) / 2 + 1;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if ((all[k] as { c: boolean }).c) rankSumCandidate += rank;
    i = j + 1;
  }
  const u = rankSumCandidate - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const diff = u - mean;
  const z = variance > 0 ? (Math.abs(diff) - 0.5) / Math.sqrt(variance) : 0;
  return { u, pValue: variance > 0 ? Math.min(1, 2 * normalSf(Math.max(0, z))) : 1, probabilityGreater: u / (n1 * n2) };
}

export interface ShiftEstimate {
  /** Hodges-Lehmann estimate: the median of all pairwise differences (candidate − baseline). */
  estimate: number;
  /** Distribution-free two-sided interval at `confidence` (Moses' order statistics of the differences, from Mann-Whitney U). */
  low: number;
  high: number;
  confidence: number;
}

/**
 * How far `candidate` is shifted above `baseline`: the Hodges-Lehmann estimate and its confidence
 * interval — the pairwise differences between the Mann-Whitney U critical values (normal
 * approximation). Costs O(n·m log(n·m)): thin large samples first.
 */
export function hodgesLehmannShift(baseline: readonly number[], candidate: readonly number[], confidence: number): ShiftEstimate {
  const n = candidate.length;
  const m = baseline.length;
  if (n === 0 || m === 0) return { estimate: Number.NaN, low: Number.NaN, high: Number.NaN, confidence };
  const differences = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) differences[i * m + j] = (candidate[i] as number) - (baseline[j] as number);
  differences.sort();
  const count = n * m;
  const middle = (count - 1) / 2;
  const estimate = ((differences[Math.floor(middle)] as number) + (differences[Math.ceil(middle)] as number)) / 2;
  // The k-th smallest and k-th largest differences bound the interval, k from U's critical value.
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const k = Math.max(0, Math.floor(count / 2 - z * Math.sqrt((count * (n + m + 1)) / 12)));
  return { estimate, low: differences[Math.min(k, count - 1)] as number, high: differences[Math.max(count - 1 - k, 0)] as number, confidence };
}

/** The upper tail P(X > x) of a chi-square distribution with `df` degrees of freedom: Q(df/2, x/2). */
export function chiSquareSf(x: number, df: number): number {
  if (df <= 0) return 1;
  return regularizedGammaQ(df / 2, x / 2);
}

/**
 * Q(a, x) = Γ(a, x) / Γ(a), the regularized upper incomplete gamma function: its series below
 * x = a + 1, Lentz's continued fraction above (Numerical Recipes' gser/gcf), to ~1e-14.
 */
function regularizedGammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const logPrefix = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 1000 && Math.abs(term) > Math.abs(sum) * 1e-15; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return Math.max(0, 1 - sum * Math.exp(logPrefix));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.min(1, h * Math.exp(logPrefix));
}

export interface HomogeneityTest {
  /** Pearson's statistic of the buckets × {a, b} table (buckets empty in both left out). */
  chiSquare: number;
  degreesOfFreedom: number;
  /** P(a statistic this large | both samples come from one distribution). */
  pValue: number;
}

/** Chi-square test of homogeneity: do the bucket counts `a` and `b` come from the same distribution? */
export function chiSquareHomogeneity(a: readonly number[], b: readonly number[]): HomogeneityTest {
  const totalA = a.reduce((s, v) => s + v, 0);
  const totalB = b.reduce((s, v) => s + v, 0);
  const total = totalA + totalB;
  let chiSquare = 0;
  let used = 0;
  a.forEach((countA, i) => {
    const countB = b[i] as number;
    const bucket = countA + countB;
    if (bucket === 0) return;
    used++;
    const expectedA = (bucket * totalA) / total;
    const expectedB = (bucket * totalB) / total;
    chiSquare += (countA - expectedA) ** 2 / expectedA + (countB - expectedB) ** 2 / expectedB;
  });
  const degreesOfFreedom = totalA > 0 && totalB > 0 ? Math.max(0, used - 1) : 0;
  return { chiSquare, degreesOfFreedom, pValue: chiSquareSf(chiSquare, degreesOfFreedom) };
}

export interface PredictionShift extends HomogeneityTest {
  /** Population stability index of the smoothed bucket shares. */
  psi: number;
}

/**
 * How far `actual` predictions moved from `expected` ones: the population stability index (< 0.1
 * stable, 0.1–0.25 some shift, > 0.25 a large shift, the usual reading) and a chi-square test of
 * homogeneity on the same buckets: over categories when both hold only a few distinct integers
 * (classes), else over the expected sample's deciles. Each bucket count is smoothed by half a
 * sample (Jeffreys), so a class seen once on one side and never on the other adds little, where a
 * floor on empty shares would add ~0.2 at thirty samples; PSI's small-sample bias stays, which is
 * why a shift counts only when the test finds it significant too.
 */
export function predictionShift(expected: readonly number[], actual: readonly number[]): PredictionShift {
  if (expected.length === 0 || actual.length === 0) return { psi: 0, chiSquare: 0, degreesOfFreedom: 0, pValue: 1 };
  const [countsE, countsA] = bucketCounts(expected, actual);
  const share = (counts: number[]): number[] => {
    const total = counts.reduce((s, c) => s + c + 0.5, 0);
    return counts.map((c) => (c + 0.5) / total);
  };
  const e = share(countsE);
  const a = share(countsA);
  const psi = e.reduce((sum, ei, i) => sum + ((a[i] as number) - ei) * Math.log((a[i] as number) / ei), 0);
  return { psi, ...chiSquareHomogeneity(countsE, countsA) };
}

/** Counts of both samples per bucket: classes when both hold at most 20 distinct integers, else deciles of `expected`. */
function bucketCounts(expected: readonly number[], actual: readonly number[]): [number[], number[]] {
  const categorical = [...expected, ...actual].every(Number.isInteger) && new Set([...expected, ...actual]).size <= 20;
  let bucketOf: (v: number) => number;
  let buckets: number;
  if (categorical) {
    const values = [...new Set([...expected, ...actual])].sort((a, b) => a - b);
    const index = new Map(values.map((v, i) => [v, i]));
    bucketOf = (v) => index.get(v) as number;
    buckets = values.length;
  } else {
    const sorted = [...expected].sort((a, b) => a - b);
    const edges = Array.from({ length: 9 }, (_, i) => sorted[Math.floor(((i + 1) / 10) * sorted.length)] as number);
    bucketOf = (v) => edges.filter((e) => v > e).length;
    buckets = 10;
  }
  const counts = (sample: readonly number[]): number[] => {
    const into = new Array<number>(buckets).fill(0);
    for (const v of sample) into[bucketOf(v)] = (into[bucketOf(v)] as number) + 1;
    return into;
  };
  return [counts(expected), counts(actual)];
}
