/**
 * One analysis verdict: canary against stable over the same window, from the gateways' raw samples.
 * No data is inconclusive, never a pass. A check fails only when the difference is both
 * statistically significant and larger than its practical threshold, so noise does not roll back a
 * good model and a real regression is caught. A rollout judges several windows (its steps, each interval
 * of its watch): each significance level is the rollout's, spread over its planned analyses
 * (Bonferroni: `alpha / analyses` per window), so an identical model fails a check in at most `alpha`
 * of rollouts rather than in `alpha` of windows. Pure.
 */
import type { AnalysisCheck, AnalysisConfig, AnalysisVerdict } from '../../sdk/schemas';
import { compareLatencies, f } from './latencyComparison';
import { compareProportions, predictionShift } from './statistics';

export interface VersionWindow {
  requests: number;
  errors: number;
  /** End-to-end latencies of the answered requests. */
  latenciesMs: number[];
  /** The model's own run times (absent from older gateways and recorded windows: latency is then judged end to end alone). */
  computeMs?: number[];
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

/** A rollout's significance level as one of its `analyses` windows tests at it: `alpha / analyses`. */
export interface WindowAlpha {
  /** The level each window tests at. */
  level: number;
  /** How a verdict says it: `0.01`, or `0.0011 (0.01 over 9 analyses)`. */
  text: string;
}

export function windowAlpha(alpha: number, analyses = 1): WindowAlpha {
  const n = Math.max(1, Math.floor(analyses));
  return n === 1 ? { level: alpha, text: String(alpha) } : { level: alpha / n, text: `${Number((alpha / n).toPrecision(2))} (${alpha} over ${n} analyses)` };
}

/** PSI over its threshold and a significant chi-square test of homogeneity: the class mix (or value deciles) moved. */
function predictionShiftCheck(stable: number[], canary: number[], config: AnalysisConfig, analyses: number): AnalysisCheck {
  const shift = predictionShift(stable, canary);
  const { maxPsi } = config.predictions;
  const alpha = windowAlpha(config.predictions.alpha ?? 0.01, analyses); // (a deployment started before this setting existed gets its default)
  return {
    name: 'prediction-shift',
    status: shift.psi > maxPsi && shift.pValue < alpha.level ? 'fail' : 'pass',
    detail:
      `PSI of canary predictions against stable ${f(shift.psi)} (max ${maxPsi}); ` +
      `chi-square ${f(shift.chiSquare, 2)} on ${shift.degreesOfFreedom} df, p=${f(shift.pValue)} (fails if PSI > ${maxPsi} and p < ${alpha.text})`,
    values: { psi: shift.psi, chiSquare: shift.chiSquare, pValue: shift.pValue },
  };
}

/**
 * The canary slower than stable: end to end and, when both sides measured it, in the model's own
 * compute time too. A canary slower end to end only is paying serving overhead (a less busy
 * version's inference thread asleep more often on a loaded machine), not running a slower model.
 */
function latencyCheck(stable: VersionWindow, canary: VersionWindow, rolloutConfig: AnalysisConfig, analyses: number): AnalysisCheck | undefined {
  const config = { ...rolloutConfig, latency: { ...rolloutConfig.latency, alpha: windowAlpha(rolloutConfig.latency.alpha, analyses).level } };
  const endToEnd = compareLatencies(stable.latenciesMs, canary.latenciesMs, config);
  if (!endToEnd) return undefined;
  // Too few compute samples on a side (older gateways in the window) judge end to end alone, as before.
  const measured = (w: VersionWindow): number[] => ((w.computeMs?.length ?? 0) >= config.minSamples ? (w.computeMs as number[]) : []);
  const compute = compareLatencies(measured(stable), measured(canary), config);
  if (!compute) return { name: 'latency', status: endToEnd.slower ? 'fail' : 'pass', detail: endToEnd.detail, values: endToEnd.values };
  const overhead = endToEnd.slower && !compute.slower ? ': serving overhead, not the model' : '';
  const c = compute.values;
  return {
    name: 'latency',
    status: endToEnd.slower && compute.slower ? 'fail' : 'pass',
    detail: `end-to-end ${endToEnd.detail}; compute ${compute.detail}${overhead}`,
    values: {
      ...endToEnd.values,
      computeP50Ratio: c.p50Ratio,
      computeP99Ratio: c.p99Ratio,
      computePValue: c.pValue,
      computeProbabilitySlower: c.probabilitySlower,
    },
  };
}

/** `analyses`: how many windows the rollout plans to judge, sharing each significance level (1: this window alone). */
export function analyzeWindow(input: WindowInput, config: AnalysisConfig, analyses = 1): AnalysisVerdict {
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
    const alpha = windowAlpha(config.errorRate.alpha, analyses);
    const failed = increase > config.errorRate.maxIncrease && test.pValue < alpha.level;
    checks.push({
      name: 'error-rate',
      status: failed ? 'fail' : 'pass',
      detail: `canary ${f(test.rateB)} vs stable ${f(test.rateA)} (${test.method} p=${f(test.pValue)}; fails if > +${config.errorRate.maxIncrease} and p < ${alpha.text})`,
      values: { canaryRate: test.rateB, stableRate: test.rateA, pValue: test.pValue },
    });

    const latency = latencyCheck(stable, canary, config, analyses);
    if (latency) checks.push(latency);

    if (stable.predictions.length > 0 && canary.predictions.length > 0)
      checks.push(predictionShiftCheck(stable.predictions, canary.predictions, config, analyses));
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
