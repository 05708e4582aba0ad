/**
 * Notifications without Temporal: the events a deployment's outcome makes, the JSON and Slack
 * bodies, the worker's webhook settings, and one delivery attempt against a local HTTP server
 * (which webhooks it retries, which it gives up on, which it skips on the next attempt).
 */
import { standaloneContext } from '../../activities/activityContext';
import { isPermanentRefusal, sendNotification, withUiLink, type NotificationDelivery } from '../../activities/notify/sendNotification';
import { slackMessage, webhookBody } from '../../activities/notify/webhookMessage';
import { webhookFromFlag, webhooksFromEnv } from '../../activities/notify/workerWebhooks';
import { SetupError } from '../../sdk/errors';
import { pipelineSpec, webhook, webhookWants, type DeploymentStatus, type NotificationEvent } from '../../sdk/schemas';
import { approvalEvent, outcomeEvent } from '../../workflows/deploymentEvents';
import { WebhookReceiver } from '../support/webhookReceiver';

const event: NotificationEvent = {
  kind: 'rolledBack',
  endpoint: 'fraud',
  version: 'v7',
  summary: 'v7 rolled back on fraud: traffic returned to v6',
  reason: 'CanaryRegressed: error rate <b> & more',
  at: '2026-12-02T04:00:00.000Z',
  details: { workflowId: 'deploy/fraud/v7', namespace: 'default' },
};

function status(overrides: Partial<DeploymentStatus> = {}): DeploymentStatus {
  return { workflowId: 'deploy/fraud/v7', endpoint: 'fraud', version: 'v7', phase: 'Promoted', stages: [], candidates: [], benchmarks: [], ...overrides };
}

describe('deployment events', () => {
  test('a rollback names the version traffic returned to, and the failure as its reason', () => {
    const rolledBack = outcomeEvent(
      status({
        failure: { type: 'CanaryRegressed', stage: 'rollout', message: 'step 2 (25%) failed analysis' },
        rollout: { strategy: 'canary', state: 'done', stableVersion: 'v6', weight: 0, steps: [] },
      }),
      'rolledBack',
    );
    expect(rolledBack).toMatchObject({
      kind: 'rolledBack',
      endpoint: 'fraud',
      version: 'v7',
      summary: 'v7 rolled back on fraud: traffic returned to v6',
      reason: 'CanaryRegressed: step 2 (25%) failed analysis',
      details: { strategy: 'canary', stableVersion: 'v6', stage: 'rollout' },
    });
  });

  test('a rollback by the post-promotion watch is a watchFailed event, with the watch and the rollback in its details', () => {
    const watch = {
      phase: 'failed' as const,
      since: '2026-12-02T04:00:00.000Z',
      until: '2026-12-02T04:02:00.000Z',
      durationMs: 120_000,
      intervalMs: 30_000,
      previousVersion: 'v6',
      intervals: [],
      reason: 'error-rate: 12/200 vs 0/400',
    };
    const rollback = { reason: 'CanaryRegressed: switch to 100% failed analysis', generation: 9, verified: { 'gw-1': 1 }, tookMs: 800 };
    const failed = outcomeEvent(
      status({
        failure: { type: 'CanaryRegressed', stage: 'release', message: 'switch to 100% failed analysis' },
        rollout: { strategy: 'canary', state: 'done', stableVersion: 'v6', weight: 0, steps: [], watch, rollback },
      }),
      'rolledBack',
    );
    expect(failed).toMatchObject({
      kind: 'watchFailed',
      summary: 'v7 failed its post-promotion watch on fraud: traffic returned to v6',
      reason: 'CanaryRegressed: switch to 100% failed analysis',
      details: { watch: { since: watch.since, until: watch.until }, rollback: { generation: 9, verified: { 'gw-1': 1 } } },
    });
  });

  test('promoted and rejected have their own summaries; a failed pipeline sends nothing', () => {
    expect(outcomeEvent(status(), 'promoted')).toMatchObject({ kind: 'promoted', summary: "v7 promoted: it serves all of fraud's traffic" });
    expect(outcomeEvent(status({ failure: { type: 'ModelValidationFailed', stage: 'validate', message: 'outputs differ' } }), 'rejected')).toMatchObject({
      kind: 'rejected',
      reason: 'ModelValidationFailed: outputs differ',
    });
    expect(outcomeEvent(status(), 'failed')).toBeUndefined();
  });

  test('a report served over http is the link; a store path is only a detail', () => {
    expect(outcomeEvent(status({ report: { uri: 'https://reports.example/fraud/v7.html' } as DeploymentStatus['report'] }), 'promoted')?.link).toBe(
      'https://reports.example/fraud/v7.html',
    );
    const local = outcomeEvent(status({ report: { uri: 'file:///store/reports/fraud/v7/report.html' } as DeploymentStatus['report'] }), 'promoted');
    expect(local?.link).toBeUndefined();
    expect(local?.details?.report).toBe('file:///store/reports/fraud/v7/report.html');
  });

  test('a step waiting for approval says how to approve and what happens on timeout', () => {
    expect(approvalEvent({ endpoint: 'fraud', version: 'v7' }, 25, 3_600_000, 'rollback')).toMatchObject({
      kind: 'waitingForApproval',
      summary: "v7 waits for approval at 25% of fraud's traffic",
      reason: 'run `modelship approve fraud/v7` (or `abort`) within 3600 s; then: rollback',
    });
  });
});

describe('webhook bodies', () => {
  test('json sends the event as is', () => {
    expect(webhookBody({ format: 'json' }, event)).toBe(event);
  });

  test('slack sends text and blocks: the summary, the fields, the reason escaped, the link', () => {
    const message = slackMessage({ ...event, link: 'http://ui:8233/namespaces/default/workflows/deploy%2Ffraud%2Fv7' });
    expect(message.text).toBe(':rewind: Rolled back: v7 rolled back on fraud: traffic returned to v6 (CanaryRegressed: error rate <b> & more)');
    expect(message.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: ':rewind: Rolled back: v7 rolled back on fraud: traffic returned to v6' } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Endpoint*\nfraud' },
          { type: 'mrkdwn', text: '*Version*\nv7' },
          { type: 'mrkdwn', text: '*When*\n2026-12-02T04:00:00.000Z' },
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: '*Reason*\nCanaryRegressed: error rate &lt;b&gt; &amp; more' } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: '<http://ui:8233/namespaces/default/workflows/deploy%2Ffraud%2Fv7|Details>' }] },
    ]);
  });

  test('a very long reason is cut to what Slack accepts', () => {
    const message = slackMessage({ ...event, reason: 'x'.repeat(5000) });
    expect(message.text.length).toBe(3000);
    expect(message.text.endsWith('…')).toBe(true);
  });

  test('the worker adds a link to the Temporal UI when it knows where the UI is', () => {
    expect(withUiLink(event, 'http://127.0.0.1:8233/').link).toBe('http://127.0.0.1:8233/namespaces/default/workflows/deploy%2Ffraud%2Fv7');
    expect(withUiLink(event, undefined).link).toBeUndefined();
    expect(withUiLink({ ...event, link: 'https://x' }, 'http://ui').link).toBe('https://x');
  });
});

describe('webhook settings', () => {
  test('events filters by kind; asking for rolledBack receives watchFailed too (a watch rollback is a rollback)', () => {
    expect(webhookWants({}, 'driftAlert')).toBe(true);
    expect(webhookWants({ events: ['rolledBack'] }, 'rolledBack')).toBe(true);
    expect(webhookWants({ events: ['rolledBack'] }, 'watchFailed')).toBe(true);
    expect(webhookWants({ events: ['rolledBack'] }, 'promoted')).toBe(false);
    expect(webhookWants({ events: ['watchFailed'] }, 'rolledBack')).toBe(false);
    expect(webhookWants({ events: ['promoted'] }, 'watchFailed')).toBe(false);
  });

  test('the spec field parses, with json the default format', () => {
    const spec = pipelineSpec.parse({
      endpoint: 'fraud',
      version: 'v7',
      model: { source: 'model.onnx' },
      notifications: { webhooks: [{ url: 'https://hooks.example/a' }, { url: 'https://hooks.example/b', format: 'slack', events: ['rolledBack'] }] },
    });
    expect(spec.notifications?.webhooks).toEqual([
      { url: 'https://hooks.example/a', format: 'json' },
      { url: 'https://hooks.example/b', format: 'slack', events: ['rolledBack'] },
    ]);
    expect(webhook.safeParse({ url: 'ftp://hooks.example/a' }).success).toBe(false);
    expect(webhook.safeParse({ url: 'https://hooks.example/a', events: ['exploded'] }).success).toBe(false);
  });

  test('--webhook takes a URL and an optional format', () => {
    expect(webhookFromFlag('https://hooks.example/a')).toEqual({ url: 'https://hooks.example/a', format: 'json' });
    expect(webhookFromFlag('https://hooks.example/a,format=slack')).toEqual({ url: 'https://hooks.example/a', format: 'slack' });
    expect(() => webhookFromFlag('https://hooks.example/a,colour=red')).toThrow(/unknown setting "colour=red"/);
    expect(() => webhookFromFlag('not a url')).toThrow(SetupError);
  });

  test('MODELSHIP_WEBHOOKS is a JSON array of webhooks; a wrong one stops the worker saying what is wrong', () => {
    expect(webhooksFromEnv({})).toEqual([]);
    expect(webhooksFromEnv({ MODELSHIP_WEBHOOKS: '[{"url":"https://hooks.example/a","format":"slack"}]' })).toEqual([
      { url: 'https://hooks.example/a', format: 'slack' },
    ]);
    expect(() => webhooksFromEnv({ MODELSHIP_WEBHOOKS: '{nope' })).toThrow(/MODELSHIP_WEBHOOKS is not JSON/);
    expect(() => webhooksFromEnv({ MODELSHIP_WEBHOOKS: '[{"url":"https://x","format":"teams"}]' })).toThrow(/MODELSHIP_WEBHOOKS: \[0\]\.format/);
  });

  test('only 4xx answers other than 408 and 429 are given up on', () => {
    expect([400, 401, 403, 404, 410, 422].every(isPermanentRefusal)).toBe(true);
    expect([408, 429, 500, 502, 503].some(isPermanentRefusal)).toBe(false);
  });
});

describe('one delivery attempt', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => (receiver = await WebhookReceiver.start()));
  afterAll(() => receiver.close());

  test('delivers to the spec and worker webhooks that want the event; a failure is retried only for those not delivered', async () => {
    receiver.answer('/flaky', 503);
    const hooks = [
      { url: `${receiver.url}/json`, format: 'json' as const },
      { url: `${receiver.url}/flaky`, format: 'slack' as const },
      { url: `${receiver.url}/promotions-only`, format: 'json' as const, events: ['promoted' as const] },
    ];
    const heartbeats: unknown[] = [];
    const first = { ...standaloneContext(), heartbeat: (details: unknown) => heartbeats.push(details) };
    await expect(sendNotification(first, { event, webhooks: hooks.slice(0, 2) }, { webhooks: [hooks[2]!] })).rejects.toThrow(
      /not delivered to http:\/\/127\.0\.0\.1:\d+\/flaky: HTTP 503 scripted 503/,
    );
    expect(receiver.postsTo('/promotions-only')).toHaveLength(0);
    // The retry (a new attempt, with the last heartbeat) sends only to the webhook that failed.
    const second = standaloneContext(heartbeats.at(-1));
    const delivery = await sendNotification(second, { event, webhooks: hooks.slice(0, 2) }, { webhooks: [hooks[2]!] });
    expect(delivery.delivered.sort()).toEqual([`${receiver.url}/flaky`, `${receiver.url}/json`]);
    expect(receiver.postsTo('/json')).toHaveLength(1);
    expect(receiver.postsTo('/flaky').map((p) => p.status)).toEqual([503, 200]);
    expect(receiver.postsTo('/json')[0]?.body).toEqual(event);
    expect(receiver.postsTo('/flaky')[1]?.body).toMatchObject({ text: expect.stringContaining('Rolled back') });
  });

  test('a webhook that refuses for good is not retried: the attempt fails non-retryably when nothing was delivered', async () => {
    receiver.answer('/gone', 410);
    const error = await sendNotification(
      standaloneContext(),
      { event, webhooks: [{ url: `${receiver.url}/gone?token=secret`, format: 'json' }] },
      { webhooks: [] },
    ).catch((e: unknown) => e as { nonRetryable?: boolean; message: string });
    expect(error).toMatchObject({ nonRetryable: true, type: 'WebhookRefused' });
    expect((error as Error).message).toMatch(/refused by http:\/\/127\.0\.0\.1:\d+\/gone: HTTP 410/);
    expect((error as Error).message).not.toContain('secret');
  });

  test('headers are sent; one refusal beside a delivery is recorded, not thrown', async () => {
    receiver.answer('/bad', 400);
    const delivery: NotificationDelivery = await sendNotification(
      standaloneContext(),
      {
        event,
        webhooks: [
          { url: `${receiver.url}/authed`, format: 'json', headers: { authorization: 'Bearer t0k' } },
          { url: `${receiver.url}/bad`, format: 'json' },
        ],
      },
      { webhooks: [] },
    );
    expect(delivery.delivered).toEqual([`${receiver.url}/authed`]);
    expect(delivery.refused).toEqual([{ url: `${receiver.url}/bad`, reason: 'HTTP 400 scripted 400' }]);
    expect(receiver.postsTo('/authed')[0]?.headers.authorization).toBe('Bearer t0k');
  });
});
