/**
 * The gateway's drift gauges: read from the latest judged drift check of each endpoint served (the
 * baseline and too-small windows skipped), at most once per refresh interval, last values kept
 * when the store cannot be read.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import type { DriftCheckResult } from '../../sdk/schemas';
import { registerDriftMetrics } from '../../serving/driftMetrics';
import { FsArtifactStore, storeKeys, writeDocument, type ArtifactStore } from '../../store';

let dir: string;
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const summary = { count: 1, mean: 0, std: 0, quantiles: { p05: 0, p25: 0, p50: 0, p75: 0, p95: 0 }, nonFinite: 0 };

function check(at: string, verdict: DriftCheckResult['verdict'], psi: number): DriftCheckResult {
  return {
    endpoint: 'fraud',
    version: 'v2',
    at,
    verdict,
    reasons: [],
    rows: 200,
    windowEndMs: 0,
    baselineRows: 200,
    features: verdict === 'baseline' ? [] : [{ name: 'features[0]', kind: 'input', psi, pValue: 0.001, drifted: verdict === 'alert', window: summary }],
    nonFiniteRate: 0.02,
    baselineNonFiniteRate: 0,
  };
}

const drift = async (registry: Registry): Promise<string[]> => (await registry.metrics()).split('\n').filter((line) => line.startsWith('modelship_drift_'));

test('the gauges show the latest judged check of each endpoint served, refreshed at most once per interval', async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'modelship-drift-metrics-'));
  const store = new FsArtifactStore(dir);
  let now = 0;
  let failing = false;
  const logged: string[] = [];
  const flaky: ArtifactStore = Object.assign(Object.create(store) as ArtifactStore, {
    list: (prefix: string) => (failing ? Promise.reject(new Error('store down')) : store.list(prefix)),
  });
  const registry = new Registry();
  registerDriftMetrics(registry, { store: flaky, endpoints: () => ['fraud', 'quiet'], refreshMs: 1000, now: () => now, log: (m) => logged.push(m) });
  expect(await drift(registry)).toEqual([]);

  await writeDocument(store, storeKeys.driftCheck('fraud', '2026-12-02T04:00:00.000Z'), check('2026-12-02T04:00:00.000Z', 'alert', 1.5));
  await writeDocument(store, storeKeys.driftCheck('fraud', '2026-12-02T05:00:00.000Z'), check('2026-12-02T05:00:00.000Z', 'insufficient', 0));
  expect(await drift(registry)).toEqual([]); // read less than refreshMs ago
  now = 1000;
  expect(await drift(registry)).toEqual([
    'modelship_drift_psi{endpoint="fraud",version="v2",feature="features[0]",kind="input"} 1.5',
    'modelship_drift_nonfinite_rate{endpoint="fraud",version="v2"} 0.02',
    'modelship_drift_alert{endpoint="fraud",version="v2"} 1',
    `modelship_drift_check_timestamp_seconds{endpoint="fraud",version="v2"} ${Date.parse('2026-12-02T04:00:00.000Z') / 1000}`,
  ]);

  await writeDocument(store, storeKeys.driftCheck('fraud', '2026-12-02T06:00:00.000Z'), check('2026-12-02T06:00:00.000Z', 'ok', 0.05));
  failing = true;
  now = 2000;
  expect((await drift(registry))[2]).toBe('modelship_drift_alert{endpoint="fraud",version="v2"} 1');
  expect(logged).toEqual(['drift metrics: store not read (Error: store down); last values kept']);
  failing = false;
  now = 3000;
  expect((await drift(registry)).slice(0, 3)).toEqual([
    'modelship_drift_psi{endpoint="fraud",version="v2",feature="features[0]",kind="input"} 0.05',
    'modelship_drift_nonfinite_rate{endpoint="fraud",version="v2"} 0.02',
    'modelship_drift_alert{endpoint="fraud",version="v2"} 0',
  ]);
});
