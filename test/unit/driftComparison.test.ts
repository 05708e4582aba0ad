/**
 * Drift of a captured window against a baseline, pure: the features taken from requests (input
 * columns, outputs, non-finite counts), summaries, thinning, the verdict the thresholds give and
 * the reasons naming the shifted features; the table `modelship drift` prints and the alert summary.
 */
import { baselineOf, compareWithBaseline, summarize, thin } from '../../activities/drift/driftComparison';
import { windowValues } from '../../activities/drift/featureValues';
import { driftTable } from '../../cli/driftView';
import type { TensorMap } from '../../runtime';
import { seededRandom } from '../../runtime/syntheticInputs';
import { driftThresholds, type DriftCheckResult } from '../../sdk/schemas';
import { driftAlertEvent, driftAlertSummary } from '../../workflows/drift/driftAlert';

/** Standard normals (Box-Muller) from a seeded uniform generator. */
function normals(seed: number): () => number {
  const uniform = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** `count` one-row requests of 4 features (feature j ~ N(0, 1) × scale[j] + shift[j]) and a label output. */
function requests(count: number, seed: number, scale = [1, 1, 1, 1], shift = [0, 0, 0, 0]) {
  const next = normals(seed);
  return Array.from({ length: count }, () => {
    const row = scale.map((s, j) => next() * s + (shift[j] as number));
    const inputs: TensorMap = { features: { datatype: 'FP32', shape: [1, 4], data: Float32Array.from(row) } };
    const outputs: TensorMap = { label: { datatype: 'INT64', shape: [1], data: BigInt64Array.from([(row[0] as number) > 0 ? 1n : 0n]) } };
    return { inputs, outputs, rows: 1 };
  });
}

const thresholds = driftThresholds.parse({ minSamples: 50 });
const baseline = baselineOf(windowValues(requests(400, 1)), { endpoint: 'fraud', version: 'v1', createdAt: '2026-12-01T00:00:00.000Z', windowEndMs: 1 });

test('features are the columns of each input and each output, non-finite values counted apart', () => {
  const inputs: TensorMap = {
    features: { datatype: 'FP32', shape: [2, 2], data: Float32Array.from([1, NaN, 3, 4]) },
    scalar: { datatype: 'INT32', shape: [], data: Int32Array.from([7]) },
  };
  const outputs: TensorMap = { probabilities: { datatype: 'FP64', shape: [2, 1], data: Float64Array.from([0.25, Infinity]) } };
  const window = windowValues([{ inputs, outputs, rows: 2 }]);
  expect(window.features.map((f) => [f.kind, f.name, f.values, f.nonFinite])).toEqual([
    ['input', 'features[0]', [1, 3], 0],
    ['input', 'features[1]', [4], 1],
    ['input', 'scalar', [7], 0],
    ['output', 'probabilities[0]', [0.25], 1],
  ]);
  expect(window).toMatchObject({ rows: 2, elements: 7, nonFinite: 2 });
});

test('a summary holds the mean, standard deviation and quantiles; thinning keeps the distribution', () => {
  expect(summarize([1, 2, 3, 4, 5], 2)).toEqual({
    count: 5,
    mean: 3,
    std: Math.sqrt(2.5),
    quantiles: { p05: 1.2, p25: 2, p50: 3, p75: 4, p95: 4.8 },
    nonFinite: 2,
  });
  const values = Array.from({ length: 10_000 }, (_, i) => i);
  const thinned = thin(values, 100);
  expect(thinned).toHaveLength(100);
  expect(summarize(thinned).quantiles.p50).toBeCloseTo(summarize(values).quantiles.p50, -2);
  expect(thin([3, 1, 2], 10)).toEqual([1, 2, 3]);
});

test('a window like the baseline is ok; scaled features alert, each named, and the labels they move too', () => {
  const normal = compareWithBaseline(baseline, windowValues(requests(200, 2)), thresholds);
  expect(normal.verdict).toBe('ok');
  expect(normal.reasons).toEqual([]);
  expect(normal.worstFeature?.psi).toBeLessThan(0.25);

  const shifted = compareWithBaseline(baseline, windowValues(requests(200, 3, [4, 1, 1, 1], [0, 0, 3, 0])), thresholds);
  expect(shifted.verdict).toBe('alert');
  expect(shifted.features.filter((f) => f.drifted).map((f) => f.name)).toEqual(['features[0]', 'features[2]']);
  expect(shifted.reasons.join('\n')).toMatch(/input feature features\[2\] drifted: PSI [\d.]+ > 0.25 \(p [\d.e+-]+; mean -?0\.\d+ → 2\.9\d+\)/);
  expect(shifted.worstFeature?.name).toBe('features[2]');
  // Labels stay balanced when only the spread of feature 0 grows: no prediction drift.
  expect(shifted.predictionPsi).toBeLessThan(0.25);
  const labelsMoved = compareWithBaseline(baseline, windowValues(requests(200, 4, [1, 1, 1, 1], [2, 0, 0, 0])), thresholds);
  expect(labelsMoved.reasons.some((r) => r.startsWith('prediction label drifted'))).toBe(true);
});

test('too few rows judge nothing; a rise in non-finite values alerts; a feature missing from the baseline alerts', () => {
  expect(compareWithBaseline(baseline, windowValues(requests(10, 5)), thresholds)).toMatchObject({
    verdict: 'insufficient',
    reasons: ['the window holds 10 row(s), fewer than minSamples 50: nothing judged'],
  });
  const broken = requests(100, 6).map((r, i) =>
    i % 10 === 0 ? { ...r, inputs: { features: { ...(r.inputs.features as TensorMap[string]), data: Float32Array.from([NaN, 0, 0, 0]) } } } : r,
  );
  const nonFinite = compareWithBaseline(baseline, windowValues(broken), thresholds);
  expect(nonFinite.verdict).toBe('alert');
  expect(nonFinite.reasons).toContainEqual(expect.stringMatching(/^non-finite values: 2\.00% of elements against 0\.00% in the baseline/));
  const renamed = requests(100, 7).map((r) => ({ ...r, inputs: { other: r.inputs.features as TensorMap[string] } }));
  expect(compareWithBaseline(baseline, windowValues(renamed), thresholds).reasons[0]).toBe(
    "input other[0] is not in the baseline (the traffic's shape changed)",
  );
});

test('modelship drift prints one row per check and why the latest alerted; the alert event names it', () => {
  const comparison = compareWithBaseline(baseline, windowValues(requests(200, 3, [4, 1, 1, 1])), thresholds);
  const check: DriftCheckResult = {
    endpoint: 'fraud',
    version: 'v1',
    at: '2026-12-02T04:00:00.000Z',
    ...comparison,
    verdict: 'alert',
    rows: 200,
    windowEndMs: 2,
    baselineRows: 400,
    baselineNonFiniteRate: 0,
    outcome: 'rollback refused: deploy/fraud/v2 is in progress',
  };
  const table = driftTable('fraud', [{ ...check, verdict: 'baseline', reasons: ['baseline of v1'], features: [], at: '2026-12-02T03:00:00.000Z' }, check]);
  const lines = table.split('\n');
  expect(lines[0]).toMatch(/^time\s+version\s+rows\s+worst feature \(PSI\)\s+prediction PSI\s+non-finite\s+verdict$/);
  expect(lines[2]).toMatch(/^2026-12-02 04:00:00Z\s+v1\s+200\s+features\[0\] \([\d.]+\)\s+[\d.]+\s+0\.00%\s+alert \(rollback refused\)$/);
  expect(table).toContain('latest (alert):\n  input feature features[0] drifted');
  expect(driftTable('fraud', [])).toBe('endpoint fraud: no drift checks yet (enable them: modelship drift fraud --enable)');
  expect(driftAlertSummary(check)).toMatch(/^drift alert on fraud v1: input feature features\[0\] drifted: PSI/);
  expect(driftAlertEvent(check)).toMatchObject({
    kind: 'driftAlert',
    endpoint: 'fraud',
    version: 'v1',
    details: { drifted: ['features[0]'], outcome: check.outcome },
  });
});
