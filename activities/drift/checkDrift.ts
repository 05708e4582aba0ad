/**
 * The `checkDrift` activity: one drift check of an endpoint. The first check of a promoted version
 * builds its baseline from the version's captured traffic (`endpoints/<name>/drift/baseline.json`);
 * each later check reads the traffic captured since the previous check (at most `window` back and
 * `maxRows` rows), compares it with the baseline and writes its result
 * (`endpoints/<name>/drift/checks/<ISO time>.json`). A window too small to judge is not consumed:
 * the next check reads it again with what came after. The version's HTML report then shows the
 * checks (./driftReport.ts). No Temporal client.
 */
import { ApplicationFailure } from '@temporalio/common';
import { readCaptured } from '../../runtime/capturedTraffic';
import { driftBaseline, driftCheckResult, type DriftBaseline, type DriftCheckResult, type DriftMonitoring } from '../../sdk/schemas';
import { latestDriftCheck, readDocument, storeKeys, writeDocument, type ArtifactStore } from '../../store';
import { stableVersion } from '../rollout/stableVersion';
import { baselineOf, compareWithBaseline } from './driftComparison';
import { refreshDriftReport } from './driftReport';
import { windowValues } from './featureValues';

export interface CheckDriftInput {
  endpoint: string;
  drift: DriftMonitoring;
}

export async function checkDrift(store: ArtifactStore, input: CheckDriftInput, now: () => number = Date.now): Promise<DriftCheckResult> {
  const { endpoint, drift } = input;
  const serving = await stableVersion(store, endpoint);
  if (!serving) throw ApplicationFailure.nonRetryable(`endpoint ${endpoint} serves nothing: no drift to check`, 'EndpointNotServing');
  const version = serving.version;
  const at = new Date(now()).toISOString();
  const baseline = await readDocument(store, storeKeys.driftBaseline(endpoint), driftBaseline);
  const result = baseline?.version === version ? await compareWindow(store, input, baseline, at, now()) : await buildBaseline(store, input, version, at);
  await writeDocument(store, storeKeys.driftCheck(endpoint, at), driftCheckResult.parse(result));
  await refreshDriftReport(store, endpoint, version, drift.thresholds.featurePsi);
  return result;
}

/** The check that makes the version's first captured window its baseline (or says it is too small yet). */
async function buildBaseline(store: ArtifactStore, { endpoint, drift }: CheckDriftInput, version: string, at: string): Promise<DriftCheckResult> {
  const captured = await readCaptured(store, endpoint, { version, maxRows: drift.maxRows });
  const window = windowValues(captured.requests);
  const base = { endpoint, version, at, rows: window.rows, baselineRows: window.rows, features: [], nonFiniteRate: 0, baselineNonFiniteRate: 0 };
  if (window.rows < drift.thresholds.minSamples) {
    const reason = `no baseline yet: ${window.rows} row(s) of ${version} captured, fewer than minSamples ${drift.thresholds.minSamples} (is data capture on?)`;
    return { ...base, verdict: 'insufficient', reasons: [reason], windowEndMs: 0 };
  }
  const baseline = baselineOf(window, { endpoint, version, createdAt: at, windowEndMs: captured.newestMs ?? 0 });
  await writeDocument(store, storeKeys.driftBaseline(endpoint), baseline);
  const reason = `baseline of ${version}: ${window.rows} captured row(s), ${baseline.features.length} feature(s)`;
  return {
    ...base,
    verdict: 'baseline',
    reasons: [reason],
    windowEndMs: captured.newestMs ?? 0,
    nonFiniteRate: baseline.nonFiniteRate,
    baselineNonFiniteRate: baseline.nonFiniteRate,
  };
}

/** The check of the traffic captured since the previous one against the baseline. */
async function compareWindow(
  store: ArtifactStore,
  { endpoint, drift }: CheckDriftInput,
  baseline: DriftBaseline,
  at: string,
  nowMs: number,
): Promise<DriftCheckResult> {
  const previous = await latestDriftCheck(store, endpoint);
  const consumed = previous?.version === baseline.version ? previous.windowEndMs : 0;
  const sinceMs = Math.max(nowMs - drift.window, baseline.windowEndMs, consumed);
  const captured = await readCaptured(store, endpoint, { version: baseline.version, maxRows: drift.maxRows, sinceMs });
  const window = windowValues(captured.requests);
  const comparison = compareWithBaseline(baseline, window, drift.thresholds);
  return {
    endpoint,
    version: baseline.version,
    at,
    ...comparison,
    rows: window.rows,
    // Too few rows to judge: they are read again by the next check, with what comes after them.
    windowEndMs: comparison.verdict === 'insufficient' ? sinceMs : (captured.newestMs ?? 0),
    baselineRows: baseline.rows,
    baselineNonFiniteRate: baseline.nonFiniteRate,
  };
}
