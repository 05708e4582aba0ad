/**
 * One analysis verdict: canary against stable over the same window, from the gateways' raw samples.
 * No data is inconclusive, never a pass. A check fails only when the difference is both
 * statistically significant and larger than its practical threshold, so noise does not roll back a
 * good model and a real regression is caught. Pure.
 */
import type { AnalysisCheck, AnalysisConfig, AnalysisVerdict } from '../../sdk/schemas';
import { percentile } from '../benchmark/latencyStats';
import { compareProportions, mannWhitneyU, predictionShift } from './statistics';

/** A latency percentile of stable and of the canary, in ms. */
interface Pair {
  stable: number;
  canary: number;
}

export interface VersionWindow {
  requests: number;
  errors: number;
  latenciesMs: number[];
  predictions: number[];
}

export interface ShadowWindow {
  compared: number;
  failed: number;
  rows: number;
  agreedRows: number;
}

export interface WindowInput {
  stable: VersionWindow;
  canary?: VersionWindow;
  shadow?: ShadowWindow;
  since: number;
  until: number;
  replicas: number;
}

const f = (v: number, digits = 4): string => (Number.isFinite(v) ? v.toFixed(digits) : String(v));

/** PSI over its threshold and a significant chi-square test of homogeneity: the class mix (or value deciles) moved. */
function predictionShiftCheck(stable: number[], canary: number[], config: AnalysisConfig): AnalysisCheck {
  const shift = predictionShift(stable, canary);
  const { maxPsi } = config.predictions;
  const alpha = config.predictions.alpha ?? 0.01; // (a deployment started before this setting existed gets its default)
  return {
    name: 'prediction-shift',
    status: shift.psi > maxPsi && shift.pValue < alpha ? 'fail' : 'pass',
    detail:
      `PSI of canary predictions against stable ${f(shift.psi)} (max ${maxPsi}); ` +
      `chi-square ${f(shift.chiSquare, 2)} on ${shift.degreesOfFreedom} df, p=${f(shift.pValue)} (fails if PSI > ${maxPsi} and p < ${alpha})`,
    values: { psi: shift.psi, chiSquare: shift.chiSquare, pValue: shift.pValue },
  };
}

export function analyzeWindow(input: WindowInput, config: AnalysisConfig): AnalysisVerdict {
  const checks: AnalysisCheck[] = [];
  const { stable, canary, shadow } = input;
  const canaryRequests = canary?.requests ?? 0;
  const enough = stable.requests >= config.minSamples && (canary === undefined || canaryRequests >= config.minSamples);
  const shadowEnough = shadow === undefined || shadow.compared >= config.minSamples;
  checks.push({
    name: 'samples',
    status: enough && shadowEnough ? 'pass' : 'inconclusive',
    detail: `stable ${stable.requests}, canary ${canary ? canaryRequests : '–'}${shadow ? `, mirrored ${shadow.compared}` : ''} request(s); ${config.minSamples} needed each`,
    values: { stable: stable.requests, canary: canary ? canaryRequests : null, mirrored: shadow ? shadow.compared : null, minSamples: config.minSamples },
  });

  if (canary && enough) {
    const test = compareProportions(stable.errors, stable.requests, canary.errors, canary.requests);
    const increase = test.rateB - test.rateA;
    const failed = increase > config.errorRate.maxIncrease && test.pValue < config.errorRate.alpha;
    checks.push({
      name: 'error-rate',
      status: failed ? 'fail' : 'pass',
      detail: `canary ${f(test.rateB)} vs stable ${f(test.rateA)} (${test.method} p=${f(test.pValue)}; fails if > +${config.errorRate.maxIncrease} and p < ${config.errorRate.alpha})`,
      values: { canaryRate: test.rateB, stableRate: test.rateA, pValue: test.pValue },
    });

    const sortedStable = [...stable.latenciesMs].sort((a, b) => a - b);
    const sortedCanary = [...canary.latenciesMs].sort((a, b) => a - b);
    if (sortedStable.length > 0 && sortedCanary.length > 0) {
      const [p50, p99] = [0.5, 0.99].map((q) => ({ stable: percentile(sortedStable, q), canary: percentile(sortedCanary, q) })) as [Pair, Pair];
      const p50Ratio = p50.canary / p50.stable;
      const p99Ratio = p99.canary / p99.stable;
      const rank = mannWhitneyU(stable.latenciesMs, canary.latenciesMs);
      const significant = rank.pValue < config.latency.alpha && rank.probabilityGreater > config.latency.minEffect;
      // A slowdown must also be large in milliseconds: a sub-millisecond model's canary (a fresh, less
      // busy model instance) can be 20-30% slower than stable by wake-ups alone.
      const minSlowdownMs = config.latency.minSlowdownMs ?? 0; // (a deployment started before this setting existed judges by ratios)
      const slower = (p: Pair, max: number): boolean => p.canary / p.stable > max && p.canary - p.stable > minSlowdownMs;
      const failed = significant && (slower(p50, config.latency.maxP50Ratio) || slower(p99, config.latency.maxP99Ratio));
      checks.push({
        name: 'latency',
        status: failed ? 'fail' : 'pass',
        detail:
          `p50 ×${f(p50Ratio, 2)} (max ${config.latency.maxP50Ratio}), p99 ×${f(p99Ratio, 2)} (max ${config.latency.maxP99Ratio}), ` +
          `p50 +${f(p50.canary - p50.stable, 3)} ms, p99 +${f(p99.canary - p99.stable, 3)} ms (ignored under ${minSlowdownMs} ms); ` +
          `Mann-Whitney p=${f(rank.pValue)}, P(canary slower)=${f(rank.probabilityGreater, 3)} (min effect ${config.latency.minEffect})`,
        values: { p50Ratio, p99Ratio, pValue: rank.pValue, probabilitySlower: rank.probabilityGreater },
      });
    }

    if (stable.predictions.length > 0 && canary.predictions.length > 0) checks.push(predictionShiftCheck(stable.predictions, canary.predictions, config));
  }

  if (shadow && shadowEnough) {
    const agreement = shadow.rows > 0 ? shadow.agreedRows / shadow.rows : 0;
    const failureRate = shadow.compared > 0 ? shadow.failed / shadow.compared : 0;
    const failed = agreement < config.predictions.minAgreement || failureRate > config.errorRate.maxIncrease;
    checks.push({
      name: 'shadow-agreement',
      status: failed ? 'fail' : 'pass',
      detail: `mirrored answers agree on ${f(agreement)} of rows (min ${config.predictions.minAgreement}); candidate failed ${shadow.failed} of ${shadow.compared}`,
      values: { agreement, failureRate, compared: shadow.compared },
    });
  }

  const status = checks.some((c) => c.status === 'fail') ? 'fail' : checks.some((c) => c.status === 'inconclusive') ? 'inconclusive' : 'pass';
  return { status, checks, since: input.since, until: input.until, replicas: input.replicas };
}
