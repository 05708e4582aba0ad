/**
 * Replay scenarios after promotion (run by recordScenarios.ts): the drift schedule and a check whose
 * alert rolls back, notifications of an approved canary, and post-promotion watches.
 */
import { startTraffic } from '../../cli/trafficGenerator';
import type { ModelshipClient } from '../../sdk/client';
import { endpointWorkflowId } from '../../sdk/names';
import type { PipelineSpecInput } from '../../sdk/schemas';
import { readCaptured } from '../../runtime/capturedTraffic';
import { saveHistory } from './recordHistory';
import { analysis, approvalGatedCanary, spec, untilAwaitingApproval } from './recordSpecs';

/**
 * Drift: v2 is promoted with `monitoring.drift` (the endpoint creates the schedule), its captured
 * traffic becomes the baseline, then shifted traffic raises an alert that rolls back to v1.
 */
export async function recordDrift(client: ModelshipClient, gatewayUrl: string): Promise<void> {
  const endpoint = 'replay-drift';
  const drift = { every: '24h', window: '1h', thresholds: { minSamples: 50 }, onAlert: 'rollback' as const };
  const notifications = { webhooks: [{ url: 'http://127.0.0.1:9/drift-alerts', events: ['driftAlert' as const] }] }; // carried to the checks; nothing listens
  for (const version of ['v1', 'v2']) {
    const input = { ...spec(version, 'classifier'), endpoint, ...(version === 'v2' ? { monitoring: { drift }, notifications } : {}) };
    const result = await (await client.deploy(input)).result();
    if (result.outcome !== 'promoted') throw new Error(`drift: ${version} ${result.outcome} (${result.failure?.message ?? ''})`);
  }
  const schedule = client.temporal.schedule.getHandle(`drift/${endpoint}`);
  /** Sends rows (features scaled by `scale`) until the gateway (capturing a share) has captured 60 more, then runs a check; answers its workflow id. */
  const check = async (scale: number): Promise<string> => {
    const captured = async () => (await readCaptured(client.store, endpoint, { maxRows: 1_000_000 })).rows;
    const target = (await captured()) + 60;
    while ((await captured()) < target) {
      const data = Array.from({ length: 200 }, (_, i) => Math.sin(i * 12.9898 + target) * 2 * scale);
      await (
        await fetch(`${gatewayUrl}/v2/models/${endpoint}/infer`, {
          method: 'POST',
          body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [50, 4], data }] }),
        })
      ).text();
    }
    const before = (await schedule.describe()).info.recentActions.length;
    await schedule.trigger();
    for (let waited = 0; (await schedule.describe()).info.recentActions.length === before; waited += 200) {
      if (waited > 60_000) throw new Error('drift: the triggered check never started');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const workflowId = (await schedule.describe()).info.recentActions.at(-1)?.action.workflow.workflowId as string;
    await client.temporal.workflow.getHandle(workflowId).result();
    return workflowId;
  };
  await check(1);
  const alerted = await check(5);
  await schedule.delete();
  await saveHistory(client.temporal, alerted, 'driftCheck-rolled-back');
  await saveHistory(client.temporal, endpointWorkflowId(endpoint), 'endpoint-drift-schedule');
}

/** A canary step that waits for approval (announced), approved and promoted (announced): the deployment and its last `notifyWorkflow` child. */
export async function recordNotifications(client: ModelshipClient): Promise<void> {
  const endpoint = 'replay-notify';
  const deployment = await approvalGatedCanary(client, endpoint, 'notifications');
  await untilAwaitingApproval(deployment, 'notifications');
  await deployment.approve({ by: 'recorder' });
  const result = await deployment.result();
  if (result.outcome !== 'promoted') throw new Error(`notifications: expected promoted, got ${result.outcome} (${result.failure?.message ?? ''})`);
  await saveHistory(client.temporal, deployment.workflowId, 'deployModel-notified');
  const { runId } = await client.temporal.workflow.getHandle(deployment.workflowId).describe();
  const child = `notify/${endpoint}/v2/${runId}/2-promoted`;
  await client.temporal.workflow.getHandle(child).result();
  await saveHistory(client.temporal, child, 'notifyWorkflow-delivered');
}

/**
 * Post-promotion watches under traffic: one that passes (the previous version unloaded after it), and
 * one an operator's rollback at the endpoint ends (the deployment goes back by its way back).
 */
export async function recordWatch(client: ModelshipClient, gatewayUrl: string): Promise<void> {
  const endpoint = 'replay-watch';
  const first = await (await client.deploy({ ...spec('v1', 'classifier'), endpoint })).result();
  if (first.outcome !== 'promoted') throw new Error(`watch: v1 ${first.outcome} (${first.failure?.message ?? ''})`);
  const traffic = startTraffic({ gateway: gatewayUrl, endpoint, requests: 10_000_000, concurrency: 2, durationMs: 600_000 });
  try {
    const watched = (duration: string): PipelineSpecInput['rollout'] => ({
      strategy: 'canary',
      steps: [{ weight: 50, bake: '2s' }],
      analysis,
      watch: { duration, interval: '2s' },
    });
    const passed = await client.deploy({ ...spec('v2', 'classifier', watched('4s')), endpoint });
    const result = await passed.result();
    if (result.rollout?.watch?.phase !== 'passed')
      throw new Error(`watch: v2 ${result.outcome}, watch ${result.rollout?.watch?.phase} (${result.failure?.message ?? ''})`);
    await saveHistory(client.temporal, passed.workflowId, 'deployModel-watch-passed');
    const ended = await client.deploy({ ...spec('v3', 'classifier', watched('5m')), endpoint });
    for (let waited = 0; (await ended.status()).rollout?.watch?.phase !== 'watching'; waited += 200) {
      if (waited > 120_000) throw new Error('watch: v3 never started its watch');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await client.endpoint(endpoint).rollback({ by: 'recorder', reason: 'replay test' });
    const back = await ended.result();
    if (back.outcome !== 'rolledBack') throw new Error(`watch: v3 expected rolledBack, got ${back.outcome}`);
    await saveHistory(client.temporal, ended.workflowId, 'deployModel-watch-rolled-back');
    await saveHistory(client.temporal, endpointWorkflowId(endpoint), 'endpoint-watch-rollback');
  } finally {
    await traffic.stop();
  }
}
