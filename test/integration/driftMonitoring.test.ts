/**
 * Drift monitoring over the real stack (Temporal dev server, a CPU worker, a gateway capturing every
 * request): promoting a version whose spec has `monitoring.drift` creates the endpoint's schedule
 * (`drift/<endpoint>`); each check is started at once with the schedule's trigger (no waiting for its
 * interval). The first check makes the version's captured traffic its baseline; shifted traffic
 * (two features scaled and moved) raises an alert naming them; a normal window does not; with
 * `onAlert: rollback` (set by `modelship drift --enable`) an alert returns the endpoint to its
 * previous version. Alerts reach the promoting spec's webhook (a local receiver). `modelship drift` prints the checks; the gateway's /metrics shows the latest; a
 * check of an endpoint that is gone deletes its schedule.
 */
import { ScheduleNotFoundError } from '@temporalio/client';
import { driftScheduleHandle } from '../../sdk/client/driftSchedule';
import { readCaptured } from '../../runtime/capturedTraffic';
import { seededRandom } from '../../runtime/syntheticInputs';
import { FsArtifactStore, recentDriftChecks, storeKeys } from '../../store';
import type { DriftCheckResult } from '../../sdk/schemas';
import { startStack, type Stack } from '../support/stack';
import { classifierSpec } from '../support/classifierSpec';
import { runCli } from '../support/testEnv';
import { WebhookReceiver } from '../support/webhookReceiver';

const ep = 'drifting';
let stack: Stack;
let store: FsArtifactStore;
let webhook: WebhookReceiver;

beforeAll(async () => {
  webhook = await WebhookReceiver.start();
  stack = await startStack('drift', { extraArgs: ['--capture-rate', '1', '--capture-flush-interval', '200'] });
  store = new FsArtifactStore(stack.storeDir);
});

afterAll(async () => {
  await Promise.all([stack?.stop(), webhook?.close()]);
});

/** Sends `batches` requests of 10 rows one after another (each feature uniform in [-2, 2], times `scale`, plus `shift`), then waits until the gateway captured them all. */
async function sendTraffic(seed: number, batches: number, scale = [1, 1, 1, 1], shift = [0, 0, 0, 0]): Promise<void> {
  const before = (await readCaptured(store, ep, { maxRows: 100_000 })).rows;
  const next = seededRandom(seed);
  for (let b = 0; b < batches; b++) {
    const data = Array.from({ length: 40 }, (_, i) => (next() * 4 - 2) * (scale[i % 4] as number) + (shift[i % 4] as number));
    const response = await fetch(`${stack.gateway.url}/v2/models/${ep}/infer`, {
      method: 'POST',
      body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [10, 4], data }] }),
    });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  }
  while ((await readCaptured(store, ep, { maxRows: 100_000 })).rows < before + batches * 10) await new Promise((r) => setTimeout(r, 100));
}

/** Set once alerts roll back: a check's outcome is then awaited too. */
let rollingBack = false;

/** Triggers the endpoint's drift schedule and answers the check it ran (the store's newest, once there is one more). */
async function checkNow(): Promise<DriftCheckResult> {
  const before = (await recentDriftChecks(store, ep, 1000)).length;
  await driftScheduleHandle(stack.client.temporal, ep).trigger();
  for (;;) {
    const checks = await recentDriftChecks(store, ep, 1000);
    const latest = checks[checks.length - 1];
    // A rollback writes its outcome into the check after it: wait for it when the check asks for one.
    if (checks.length > before && latest && (latest.verdict !== 'alert' || !rollingBack || latest.outcome)) return latest;
    await new Promise((r) => setTimeout(r, 200));
  }
}
test('a promoted version is watched for drift: baseline, an alert naming the shifted features, a normal window, a rollback on alert, the schedule gone with the endpoint', async () => {
  expect((await (await stack.client.deploy(classifierSpec(ep, 'v1'))).result()).outcome).toBe('promoted');
  const monitoring = { drift: { every: '24h', window: '1h', thresholds: { minSamples: 100 } } };
  // The spec's webhook asks for drift alerts: the schedule carries it to every check.
  const notifications = { webhooks: [{ url: `${webhook.url}/drift`, events: ['driftAlert' as const] }] };
  const v2 = await (await stack.client.deploy(classifierSpec(ep, 'v2', { monitoring, notifications }))).result();
  expect(v2.outcome).toBe('promoted');
  const history = (await stack.client.endpoint(ep).snapshot()).state.history;
  expect(history[history.length - 1]?.detail).toMatch(/drift schedule drift\/drifting created/);

  await sendTraffic(1, 15);
  const baseline = await checkNow();
  expect(baseline).toMatchObject({ verdict: 'baseline', version: 'v2' });
  expect(baseline.rows).toBeGreaterThanOrEqual(150);

  await sendTraffic(2, 15, [3, 1, 1, 1], [0, 0, 4, 0]);
  const shifted = await checkNow();
  expect(shifted).toMatchObject({ verdict: 'alert', rows: 150 });
  expect(shifted.features.filter((f) => f.kind === 'input' && f.drifted).map((f) => f.name)).toEqual(['features[0]', 'features[2]']);
  expect(shifted.reasons.join('\n')).toMatch(/input feature features\[2\] drifted: PSI/);
  expect(shifted.outcome).toBeUndefined();
  const [alerted] = await webhook.until((posts) => posts.some((p) => p.path === '/drift'));
  expect(alerted?.body).toMatchObject({ kind: 'driftAlert', endpoint: ep, version: 'v2', summary: expect.stringMatching(/^drift alert on drifting v2: /) });

  await sendTraffic(3, 15);
  const normal = await checkNow();
  expect(normal).toMatchObject({ verdict: 'ok', rows: 150, reasons: [] });
  // The gateway shows the latest judged check for dashboards (read from the store when scraped).
  const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
  expect(metrics).toContain(`modelship_drift_alert{endpoint="${ep}",version="v2"} 0`);
  expect(metrics).toMatch(/modelship_drift_psi\{endpoint="drifting",version="v2",feature="features\[2\]",kind="input"\} [\d.e-]+\n/);

  const table = await runCli(['drift', ep, '--store', stack.storeDir], { storeUri: stack.storeDir });
  expect(table).toMatchObject({ code: 0 });
  const lines = table.stdout.split('\n');
  expect(lines[0]).toMatch(/^time\s+version\s+rows\s+worst feature \(PSI\)\s+prediction PSI\s+non-finite\s+verdict$/);
  expect(lines.slice(1, 4).map((l) => l.split(/\s+/).pop())).toEqual(['baseline', 'alert', 'ok']);
  expect(lines[2]).toMatch(/\s150\s+features\[[02]\] \([\d.]+\)/);
  const json = await runCli(['drift', ep, '--json', '--store', stack.storeDir], { storeUri: stack.storeDir });
  expect((JSON.parse(json.stdout) as DriftCheckResult[]).map((c) => c.verdict)).toEqual(['baseline', 'alert', 'ok']);
  const report = await store.get(`reports/${ep}/v2/report.html`);
  expect(Buffer.from(report as Uint8Array).toString('utf8')).toMatch(/<h2>Drift<\/h2><svg[^>]*aria-label="drift per check"/);

  // The operator turns on rollbacks: the next alert returns the endpoint to v1 through its rollback Update.
  const enabled = await runCli(['drift', ep, '--enable', '--every', '24h', '--on-alert', 'rollback'], { storeUri: stack.storeDir });
  expect(enabled.stdout).toMatch(/drift schedule drift\/drifting updated/);
  rollingBack = true;
  await sendTraffic(4, 15, [3, 1, 1, 1], [0, 0, 4, 0]);
  const rolledBack = await checkNow();
  expect(rolledBack.verdict).toBe('alert');
  expect(rolledBack.outcome).toMatch(/^rolled back: rolled back from v2 to v1 by drift monitoring: drift alert on drifting v2: input feature features\[/);
  expect((await stack.client.endpoint(ep).snapshot()).state.stable?.version).toBe('v1');
  // `--enable` kept the schedule's webhooks: the rollback's alert reached the spec's webhook too.
  const told = await webhook.until((posts) => posts.filter((p) => p.path === '/drift').length >= 2);
  expect(told.filter((p) => p.path === '/drift')[1]?.body).toMatchObject({ kind: 'driftAlert', details: { outcome: expect.stringMatching(/^rolled back/) } });

  const disabled = await runCli(['drift', ep, '--disable'], { storeUri: stack.storeDir });
  expect(disabled.stdout).toMatch(/drift schedule drift\/drifting deleted/);

  // An endpoint that is gone (its routing removed): its next check deletes the schedule.
  expect((await runCli(['drift', ep, '--enable'], { storeUri: stack.storeDir })).stdout).toMatch(/drift schedule drift\/drifting created/);
  await store.delete(storeKeys.routing(ep));
  await driftScheduleHandle(stack.client.temporal, ep).trigger();
  while (
    await driftScheduleHandle(stack.client.temporal, ep)
      .describe()
      .then(
        () => true,
        (error: unknown) => !(error instanceof ScheduleNotFoundError),
      )
  ) {
    await new Promise((r) => setTimeout(r, 200));
  }
  expect((await runCli(['drift', ep, '--disable'], { storeUri: stack.storeDir })).stdout).toMatch(/endpoint drifting has no drift schedule/);
});
