/**
 * Drift gauges for dashboards and alert rules, read from the latest judged drift check in the store
 * (drift is checked by the `driftCheck` workflow on its schedule, not by the gateway):
 *
 *   modelship_drift_psi{endpoint,version,feature,kind}   PSI of each feature (kind input|output) against the baseline
 *   modelship_drift_nonfinite_rate{endpoint,version}     share of NaN/±Inf elements in the checked window
 *   modelship_drift_alert{endpoint,version}              1 when the latest judged check alerted, else 0
 *   modelship_drift_check_timestamp_seconds{endpoint,version}  when that check ran
 *
 * For the endpoints this replica serves; the store is read on a scrape at most every `refreshMs`
 * (default 30 s), and a failed read keeps the last values (logged).
 */
import { Gauge, type Registry } from 'prom-client';
import type { DriftCheckResult } from '../sdk/schemas';
import { recentDriftChecks, type ArtifactStore } from '../store';

/** Checks looked at per endpoint for the latest judged one (baselines and too-small windows are skipped). */
const LOOK_BACK = 10;

export interface DriftMetricsOptions {
  store: ArtifactStore;
  /** The endpoints this replica serves now. */
  endpoints: () => Iterable<string>;
  refreshMs?: number;
  now?: () => number;
  log?: (message: string) => void;
}

/** Registers the drift gauges on `registry`; their values come from the store when scraped. */
export function registerDriftMetrics(registry: Registry, options: DriftMetricsOptions): void {
  const now = options.now ?? Date.now;
  let refreshedAt = -Infinity;
  let refreshing: Promise<void> | undefined;
  const refresh = (): Promise<void> => {
    if (refreshing) return refreshing;
    if (now() - refreshedAt < (options.refreshMs ?? 30_000)) return Promise.resolve();
    refreshing = readLatest(options)
      .then((checks) => {
        refreshedAt = now();
        for (const gauge of [psi, nonFinite, alert, checkedAt]) gauge.reset();
        for (const check of checks) setFrom(check);
      })
      .catch((error: unknown) => options.log?.(`drift metrics: store not read (${String(error)}); last values kept`))
      .finally(() => (refreshing = undefined));
    return refreshing;
  };
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> =>
    new Gauge({ name, help, labelNames, registers: [registry], collect: refresh });
  const psi = gauge('modelship_drift_psi', 'Population stability index of each feature against the drift baseline, from the latest judged drift check.', [
    'endpoint',
    'version',
    'feature',
    'kind',
  ]);
  const nonFinite = gauge('modelship_drift_nonfinite_rate', 'Share of NaN/Inf elements in the window of the latest judged drift check.', [
    'endpoint',
    'version',
  ]);
  const alert = gauge('modelship_drift_alert', '1 when the latest judged drift check raised an alert, else 0.', ['endpoint', 'version']);
  const checkedAt = gauge('modelship_drift_check_timestamp_seconds', 'When the latest judged drift check ran (Unix seconds).', ['endpoint', 'version']);
  const setFrom = (check: DriftCheckResult): void => {
    const labels = { endpoint: check.endpoint, version: check.version };
    for (const f of check.features) psi.set({ ...labels, feature: f.name, kind: f.kind }, f.psi);
    nonFinite.set(labels, check.nonFiniteRate);
    alert.set(labels, check.verdict === 'alert' ? 1 : 0);
    checkedAt.set(labels, Date.parse(check.at) / 1000);
  };
}

/** The latest judged check of each endpoint served that has one. */
async function readLatest(options: DriftMetricsOptions): Promise<DriftCheckResult[]> {
  const latest = await Promise.all(
    [...options.endpoints()].map(async (endpoint) =>
      (await recentDriftChecks(options.store, endpoint, LOOK_BACK)).filter((c) => c.verdict === 'ok' || c.verdict === 'alert').pop(),
    ),
  );
  return latest.filter((c): c is DriftCheckResult => c !== undefined);
}
