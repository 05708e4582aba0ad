/**
 * Re-records every history under `test/replay/histories/` from scratch: starts a private embedded
 * environment, runs each scenario (direct release, rejection, promoted and rolled-back canaries, a direct release returned to stable,
 * blue/green, and the endpoint workflow through a queue and a rollback), and saves the histories.
 * Run it when a workflow changes shape on purpose, before it has ever run in production:
 *
 *   npm run replay:record
 *
 * or record only some groups of scenarios, by name: `npm run replay:record -- start-refused`
 * (groups: `deployments` — everything above —, `start-refused`: a custom workflow that never starts,
 * terminated by its endpoint, the `endpoint-enforces-start` patch; `wait-for-retry`: a stage that
 * fails on the store waits for retry, and is retried and promoted, the `wait-for-retry` patch;
 * `versions`: an alias, a `rollback --to` it and a re-release of a kept version, the
 * `endpoint-keeps-versions` and `rollback-checks-target` patches; `reset`: a canary waiting for
 * approval reset to the start of its release stage, followed by its endpoint, the
 * `release-checks-active-run` patch); `drift`: a promotion with `monitoring.drift` that creates the
 * drift schedule (the `promotion-schedules-drift` patch), and a `driftCheck` run whose alert rolls back;
 * `notifications`: a canary step waiting for approval, approved and promoted, its `notifyWorkflow`
 * children, the `notifications` patch; `watch`: a canary whose post-promotion watch passes, and one
 * whose watch an operator's rollback at the endpoint ends, the `post-promotion-watch` patch; `targets`:
 * deployments with `targets: [cpu, gpu]` on a CPU stand-in GPU worker and a rollback to the first, the
 * `routing-picks-per-target` and `gate-every-target` patches, see recordTargets.ts).
 *
 * After a release, a shape change must be guarded with `patched()` instead, and the old histories kept
 * in a subfolder (as `histories/before-endpoint-authority/`: the shape before the endpoint handed
 * deployments their stable version and `returnToStable` became the one way back; and
 * `histories/before-endpoint-state-memo/`: before the endpoint recorded its state in its memo; and
 * `histories/before-selection-paired-decides/`: a deployment whose selection let settled p50s prove a
 * speed-up against the paired interval; and `histories/before-analysis-alpha-per-rollout/`: canaries
 * whose every window tested at the full significance level).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDevEnvironment } from '../../cli/dev/devEnvironment';
import { freePort } from '../../cli/dev/ports';
import { startTraffic } from '../../cli/trafficGenerator';
import { ModelshipClient } from '../../sdk/client';
import { DeploymentRefusedError } from '../../sdk/errors';
import { endpointWorkflowId } from '../../sdk/names';
import type { PipelineSpecInput } from '../../sdk/schemas';
import { saveHistory } from './recordHistory';

import { ENDPOINT, analysis, approvalGatedCanary, spec, untilAwaitingApproval } from './recordSpecs';
import { recordDrift, recordNotifications, recordWatch } from './recordAfterPromotion';
import { recordTargets } from './recordTargets';

async function main(): Promise<void> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'modelship-record-'));
  const env = await startDevEnvironment({ stateDir, temporalPort: await freePort(), gatewayPort: await freePort(), uiPort: null, persist: false });
  const client = await ModelshipClient.connect({ address: env.temporalAddress, store: env.storeUri });
  let traffic: ReturnType<typeof startTraffic> | undefined;
  const only = process.argv.slice(2);
  const wanted = (group: string) => only.length === 0 || only.includes(group);
  try {
    if (wanted('start-refused')) await recordStartRefused(client);
    if (wanted('wait-for-retry')) await recordWaitForRetry(client, env.storeUri);
    if (wanted('versions')) await recordVersions(client);
    if (wanted('reset')) await recordReset(client);
    if (wanted('drift')) await recordDrift(client, env.gatewayUrl);
    if (wanted('notifications')) await recordNotifications(client);
    if (wanted('watch')) await recordWatch(client, env.gatewayUrl);
    if (wanted('targets')) await recordTargets(client, env);
    if (!wanted('deployments')) return;
    const record = async (version: string, input: PipelineSpecInput, name: string, outcome: string): Promise<void> => {
      const deployment = await client.deploy(input);
      const result = await deployment.result();
      if (result.outcome !== outcome) throw new Error(`${name}: expected ${outcome}, got ${result.outcome} (${result.failure?.message ?? ''})`);
      await saveHistory(client.temporal, deployment.workflowId, name);
    };
    await record('v1', spec('v1', 'classifier'), 'deployModel-promoted', 'promoted');
    traffic = startTraffic({ gateway: env.gatewayUrl, endpoint: ENDPOINT, requests: 10_000_000, concurrency: 2, durationMs: 600_000 });
    await record('v2', spec('v2', 'corrupt'), 'deployModel-rejected', 'rejected');
    await record(
      'v3',
      spec('v3', 'classifier', { strategy: 'canary', watch: { duration: 0 }, steps: [{ weight: 50, bake: '2s' }], analysis }),
      'canary-promoted',
      'promoted',
    );
    await record(
      'v4',
      spec('v4', 'classifier_perturbed', {
        strategy: 'canary',
        watch: { duration: 0 },
        shadow: { percent: 100, bake: '2s' },
        steps: [{ weight: 50, bake: '2s' }],
        analysis,
      }),
      'canary-rolled-back',
      'rolledBack',
    );
    await record(
      'v5',
      spec('v5', 'classifier', { strategy: 'blueGreen', preview: { mode: 'smoke', requestsPerReplica: 5 }, rollbackWindow: '1s' }),
      'blueGreen-promoted',
      'promoted',
    );
    // A direct release that cannot be applied everywhere (3 replicas required, 1 live): returned to stable.
    await record('v8', spec('v8', 'classifier_perturbed', { strategy: 'direct', timeout: '1500ms', minReplicas: 3 }), 'deployModel-release-restored', 'failed');
    // The endpoint: one deployment in progress, one queued behind it, then a manual rollback.
    const busy = await client.deploy(
      spec('v6', 'classifier', {
        strategy: 'canary',
        watch: { duration: 0 },
        headerMatch: { header: 'x-canary', bake: '1s', analysis: false },
        steps: [{ weight: 50, bake: '2s', analysis: false }],
      }),
    );
    const queued = await client.deploy(spec('v7', 'classifier'));
    await busy.result();
    await queued.result();
    await client.endpoint(ENDPOINT).rollback({ by: 'recorder', reason: 'replay test' });
    await saveHistory(client.temporal, endpointWorkflowId(ENDPOINT), 'endpoint-queue-rollback');
  } finally {
    await traffic?.stop();
    await client.close();
    await env.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

/**
 * A custom workflow type no worker registers: its first workflow task fails, so the endpoint (and the
 * waiting client) terminate it after `startTimeoutMs` and the endpoint records it failed.
 */
async function recordStartRefused(client: ModelshipClient): Promise<void> {
  const endpoint = 'replay-custom';
  const refused = await client.deploy({ ...spec('v1', 'classifier'), endpoint }, { workflowType: 'noSuchWorkflow', startTimeoutMs: 2000 }).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(refused instanceof DeploymentRefusedError)) throw new Error(`start-refused: expected a refusal, got ${String(refused)}`);
  let phase = (await client.endpoint(endpoint).status()).phase;
  for (let waited = 0; phase !== 'Idle' && waited < 20_000; waited += 200) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    phase = (await client.endpoint(endpoint).status()).phase;
  }
  if (phase !== 'Idle') throw new Error(`start-refused: the endpoint did not move on (phase ${phase})`);
  await saveHistory(client.temporal, endpointWorkflowId(endpoint), 'endpoint-start-refused');
}

/**
 * A stage that fails on the store past its retries (`models/` in the filesystem store replaced by a
 * file, so the convert stage cannot write the model) waits for retry; with the store repaired, an
 * operator's `retry` re-runs the stage and the deployment is promoted.
 */
async function recordWaitForRetry(client: ModelshipClient, storeDir: string): Promise<void> {
  const endpoint = 'replay-retry';
  const models = path.join(storeDir, 'models');
  await rename(models, `${models}.aside`).catch(() => undefined);
  await writeFile(models, 'not a folder: the store is broken');
  const deployment = await client.deploy({ ...spec('v1', 'classifier'), endpoint, onInfrastructureFailure: { attempts: 2 } });
  try {
    let status = await deployment.status();
    for (let waited = 0; status.phase !== 'WaitingForRetry' && waited < 60_000; waited += 200) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = await deployment.status();
    }
    if (status.phase !== 'WaitingForRetry') throw new Error(`wait-for-retry: expected WaitingForRetry, got ${status.phase}`);
  } finally {
    await rm(models, { force: true });
    await rename(`${models}.aside`, models).catch(() => undefined);
  }
  await deployment.retry({ by: 'recorder', reason: 'the store is repaired' });
  const result = await deployment.result();
  if (result.outcome !== 'promoted') throw new Error(`wait-for-retry: expected promoted, got ${result.outcome} (${result.failure?.message ?? ''})`);
  await saveHistory(client.temporal, deployment.workflowId, 'deployModel-retried');
}

/** Two versions, an alias, a rollback to it, and a re-release of the other version (`model.source: version:v2`). */
async function recordVersions(client: ModelshipClient): Promise<void> {
  const endpoint = 'replay-versions';
  for (const [version, source] of [
    ['v1', spec('v1', 'classifier')],
    ['v2', spec('v2', 'classifier_opset13')],
    ['v3', { ...spec('v3', 'classifier'), model: { source: 'version:v2', task: 'classifier' } }],
  ] as const) {
    if (version === 'v3') {
      await client.endpoint(endpoint).setAlias('champion', 'v1', 'recorder');
      await client.endpoint(endpoint).rollback({ to: 'champion', by: 'recorder', reason: 'replay test' });
    }
    const result = await (await client.deploy({ ...source, endpoint })).result();
    if (result.outcome !== 'promoted') throw new Error(`versions: ${version} ${result.outcome} (${result.failure?.message ?? ''})`);
  }
  await saveHistory(client.temporal, 'deploy/replay-versions/v3', 'deployModel-re-release');
  await saveHistory(client.temporal, endpointWorkflowId(endpoint), 'endpoint-rollback-to');
}

/**
 * A canary waiting for approval is reset (what the UI's Reset does) to the workflow task before its
 * release stage asked the endpoint whether it is still the deployment in progress; the endpoint follows
 * the new run, which is approved and promoted. Saves the new run's history and the endpoint's.
 */
async function recordReset(client: ModelshipClient): Promise<void> {
  const endpoint = 'replay-reset';
  const deployment = await approvalGatedCanary(client, endpoint, 'reset');
  const awaitingApproval = () => untilAwaitingApproval(deployment, 'reset');
  await awaitingApproval();
  const handle = client.temporal.workflow.getHandle(deployment.workflowId);
  const { runId } = await handle.describe();
  const events = (await handle.fetchHistory()).events ?? [];
  const asked = events.findIndex((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'checkActiveDeployment');
  const resetPoint = events
    .slice(0, asked)
    .reverse()
    .find((e) => e.workflowTaskCompletedEventAttributes);
  if (asked < 0 || !resetPoint?.eventId) throw new Error('reset: no release stage to reset to');
  await client.temporal.workflowService.resetWorkflowExecution({
    namespace: client.temporal.options.namespace,
    workflowExecution: { workflowId: deployment.workflowId, runId },
    workflowTaskFinishEventId: resetPoint.eventId,
    reason: 'replay test: run the release again',
    requestId: randomUUID(),
  });
  await awaitingApproval();
  await deployment.approve({ by: 'recorder' });
  const result = await deployment.result();
  if (result.outcome !== 'promoted') throw new Error(`reset: expected promoted, got ${result.outcome} (${result.failure?.message ?? ''})`);
  await saveHistory(client.temporal, deployment.workflowId, 'deployModel-reset');
  await saveHistory(client.temporal, endpointWorkflowId(endpoint), 'endpoint-reset');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
