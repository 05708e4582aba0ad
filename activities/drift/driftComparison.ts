/**
 * Drift of one window of captured traffic against an endpoint's baseline: per feature summaries
 * (mean, standard deviation, quantiles), the population stability index and its chi-square test
 * (`predictionShift` of the canary analysis, one PSI for the whole project), the non-finite rate,
 * and the verdict the spec's thresholds give. Pure.
 */
import type { DriftBaseline, DriftThresholds, FeatureDrift, FeatureSummary } from '../../sdk/schemas';
import { predictionShift } from '../analysis/statistics';
import type { WindowValues } from './featureValues';

/** Values kept per feature in a baseline (PSI needs the sample, not only its summary). */
export const BASELINE_SAMPLE = 1000;

/** Mean, standard deviation and quantiles of `values` (finite), with the non-finite count beside. */
export function summarize(values: readonly number[], nonFinite = 0): FeatureSummary {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = n > 0 ? sorted.reduce((s, v) => s + v, 0) / n : 0;
  const variance = n > 1 ? sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  const q = (p: number): number => (n === 0 ? 0 : quantile(sorted, p));
  return { count: n, mean, std: Math.sqrt(variance), quantiles: { p05: q(0.05), p25: q(0.25), p50: q(0.5), p75: q(0.75), p95: q(0.95) }, nonFinite };
}

/** Linear interpolation between the closest ranks of a sorted sample. */
function quantile(sorted: readonly number[], p: number): number {
  const position = p * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (position - low);
}

/** At most `max` values standing for `values`: evenly spaced order statistics (the same distribution, deterministic). */
export function thin(values: readonly number[], max: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length <= max) return sorted;
  return Array.from({ length: max }, (_, i) => sorted[Math.floor(((i + 0.5) * sorted.length) / max)] as number);
}

const rate = (nonFinite: number, elements: number): number => (elements > 0 ? nonFinite / elements : 0);

/** A baseline of `window`, the traffic of `version` captured up to `windowEndMs`. */
export function baselineOf(window: WindowValues, meta: { endpoint: string; version: string; createdAt: string; windowEndMs: number }): DriftBaseline {
  return {
    ...meta,
    rows: window.rows,
    nonFiniteRate: rate(window.nonFinite, window.elements),
    features: window.features.map((f) => ({ name: f.name, kind: f.kind, summary: summarize(f.values, f.nonFinite), sample: thin(f.values, BASELINE_SAMPLE) })),
  };
}

/** What a window shows against the baseline: each feature's shift, the worst ones, and the verdict with its reasons. */
export interface DriftComparison {
  verdict: 'ok' | 'alert' | 'insufficient';
  reasons: string[];
  features: FeatureDrift[];
  worstFeature?: { name: string; psi: number };
  predictionPsi?: number;
  nonFiniteRate: number;
}

export function compareWithBaseline(baseline: DriftBaseline, window: WindowValues, thresholds: DriftThresholds): DriftComparison {
  const nonFiniteRate = rate(window.nonFinite, window.elements);
  if (window.rows < thresholds.minSamples || baseline.rows < thresholds.minSamples) {
    const short = window.rows < thresholds.minSamples ? `the window holds ${window.rows} row(s)` : `the baseline holds ${baseline.rows} row(s)`;
    return { verdict: 'insufficient', reasons: [`${short}, fewer than minSamples ${thresholds.minSamples}: nothing judged`], features: [], nonFiniteRate };
  }
  const reasons: string[] = [];
  const features: FeatureDrift[] = [];
  for (const f of window.features) {
    const base = baseline.features.find((b) => b.name === f.name && b.kind === f.kind);
    if (!base) {
      reasons.push(`${f.kind} ${f.name} is not in the baseline (the traffic's shape changed)`);
      continue;
    }
    const shift = predictionShift(base.sample, f.values);
    const limit = f.kind === 'input' ? thresholds.featurePsi : thresholds.predictionPsi;
    const drifted = shift.psi > limit && shift.pValue < thresholds.pValue;
    features.push({ name: f.name, kind: f.kind, psi: shift.psi, pValue: shift.pValue, drifted, window: summarize(f.values, f.nonFinite) });
    if (drifted) {
      const means = `mean ${fmt(base.summary.mean)} → ${fmt(summarize(f.values).mean)}`;
      reasons.push(
        `${f.kind === 'input' ? 'input feature' : 'prediction'} ${f.name} drifted: PSI ${fmt(shift.psi)} > ${limit} (p ${shift.pValue.toExponential(1)}; ${means})`,
      );
    }
  }
  const nonFiniteRise = nonFiniteRate - baseline.nonFiniteRate;
  if (nonFiniteRise > thresholds.nonFiniteRate) {
    reasons.push(
      `non-finite values: ${pct(nonFiniteRate)} of elements against ${pct(baseline.nonFiniteRate)} in the baseline (threshold +${pct(thresholds.nonFiniteRate)})`,
    );
  }
  const worst = (kind: 'input' | 'output'): FeatureDrift | undefined =>
    features.filter((f) => f.kind === kind).reduce<FeatureDrift | undefined>((w, f) => (!w || f.psi > w.psi ? f : w), undefined);
  const worstInput = worst('input');
  const worstOutput = worst('output');
  return {
    verdict: reasons.length > 0 ? 'alert' : 'ok',
    reasons,
    features,
    ...(worstInput ? { worstFeature: { name: worstInput.name, psi: worstInput.psi } } : {}),
    ...(worstOutput ? { predictionPsi: worstOutput.psi } : {}),
    nonFiniteRate,
  };
}

const fmt = (v: number): string => (Math.abs(v) >= 100 || v === 0 ? v.toFixed(0) : v.toPrecision(3));
const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;
