/**
 * Notifications over the real stack: a local HTTP server receives the webhooks of a spec (JSON) and
 * of the worker (`MODELSHIP_WEBHOOKS`, Slack format) for a promoted, a rejected and an approval-gated
 * deployment; a first 500 is retried by Temporal; a webhook that stays down never holds up the
 * deployment, which ends before anything was delivered to it.
 */
import { pathToFileURL } from 'node:url';
import type { NotificationEvent, PipelineSpecInput, WebhookInput } from '../../sdk/schemas';
import { startStack, type Stack } from '../support/stack';
import { classifierSpec } from '../support/classifierSpec';
import { modelPath } from '../support/testEnv';
import { WebhookReceiver, type ReceivedPost } from '../support/webhookReceiver';

const ENDPOINT = 'notify';
const UI_URL = 'http://temporal-ui.example:8233';
let receiver: WebhookReceiver;
let stack: Stack;

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  stack = await startStack(
    'store-notify',
    {},
    { MODELSHIP_WEBHOOKS: JSON.stringify([{ url: `${receiver.url}/worker`, format: 'slack' }]), MODELSHIP_UI_URL: UI_URL },
  );
});

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

function withWebhooks(spec: PipelineSpecInput, webhooks: WebhookInput[]): PipelineSpecInput {
  return { ...spec, notifications: { webhooks } };
}

/** The posts to `path` whose body is an event (JSON format) of `kind` for `version`. */
function events(path: string, kind: NotificationEvent['kind'], version: string): ReceivedPost[] {
  return receiver.postsTo(path).filter((post) => {
    const event = post.body as Partial<NotificationEvent>;
    return event.kind === kind && event.version === version;
  });
}

/** The Slack messages the worker's webhook received about `version`, answered 200. */
function slackAbout(version: string): ReceivedPost[] {
  return receiver.postsTo('/worker').filter((post) => post.status === 200 && JSON.stringify(post.body).includes(`${version} `));
}

test('a promotion is sent to the spec webhook (retried after a first 500) and to the worker webhook in Slack format', async () => {
  receiver.answer('/spec', 500);
  const spec = withWebhooks(classifierSpec(ENDPOINT, 'v1'), [{ url: `${receiver.url}/spec` }, { url: `${receiver.url}/rejections`, events: ['rejected'] }]);
  const result = await (await stack.client.deploy(spec)).result();
  expect(result.outcome).toBe('promoted');
  await receiver.until(() => events('/spec', 'promoted', 'v1').some((p) => p.status === 200) && slackAbout('v1').length > 0);
  expect(events('/spec', 'promoted', 'v1').map((p) => p.status)).toEqual([500, 200]);
  const event = events('/spec', 'promoted', 'v1')[1]?.body as NotificationEvent;
  expect(event).toMatchObject({
    kind: 'promoted',
    endpoint: ENDPOINT,
    version: 'v1',
    summary: "v1 promoted: it serves all of notify's traffic",
    details: { workflowId: 'deploy/notify/v1', namespace: 'default' },
    link: `${UI_URL}/namespaces/default/workflows/deploy%2Fnotify%2Fv1`,
  });
  expect(Number.isNaN(Date.parse(event.at))).toBe(false);
  const slack = slackAbout('v1')[0]?.body as { text: string; blocks: { type: string }[] };
  expect(slack.text).toBe(":white_check_mark: Promoted: v1 promoted: it serves all of notify's traffic");
  expect(slack.blocks.map((b) => b.type)).toEqual(['section', 'section', 'context']);
  expect(JSON.stringify(slack.blocks)).toContain(`<${UI_URL}/namespaces/default/workflows/deploy%2Fnotify%2Fv1|Details>`);
  expect(receiver.postsTo('/rejections')).toEqual([]); // filtered by `events`
});

test('a rejection is sent with its reason', async () => {
  const spec = withWebhooks({ ...classifierSpec(ENDPOINT, 'v2-corrupt'), model: { source: pathToFileURL(modelPath('corrupt')).href } }, [
    { url: `${receiver.url}/rejections`, events: ['rejected'] },
  ]);
  const result = await (await stack.client.deploy(spec)).result();
  expect(result.outcome).toBe('rejected');
  await receiver.until(() => events('/rejections', 'rejected', 'v2-corrupt').length > 0 && slackAbout('v2-corrupt').length > 0);
  const event = events('/rejections', 'rejected', 'v2-corrupt')[0]?.body as NotificationEvent;
  expect(event.summary).toBe('v2-corrupt rejected for notify before any traffic');
  expect(event.reason).toBe(`${result.failure?.type}: ${result.failure?.message}`);
  expect((slackAbout('v2-corrupt')[0]?.body as { text: string }).text).toMatch(/^:no_entry: Rejected: v2-corrupt rejected for notify before any traffic \(/);
});

test('a step waiting for approval is announced while it waits; a webhook that stays down never holds up the deployment', async () => {
  receiver.answer('/down', ...Array<number>(1000).fill(503));
  const spec = withWebhooks(
    classifierSpec(ENDPOINT, 'v3', {
      rollout: { strategy: 'canary', watch: { duration: 0 }, steps: [{ weight: 50, bake: '1s', analysis: false, approval: { timeout: '5m' } }] },
    }),
    [{ url: `${receiver.url}/spec` }, { url: `${receiver.url}/down` }],
  );
  const deployment = await stack.client.deploy(spec);
  const [waiting] = (await receiver.until(() => events('/spec', 'waitingForApproval', 'v3').length > 0)).filter(
    (p) => p.path === '/spec' && (p.body as NotificationEvent).kind === 'waitingForApproval',
  );
  expect(waiting?.body).toMatchObject({
    summary: "v3 waits for approval at 50% of notify's traffic",
    reason: 'run `modelship approve notify/v3` (or `abort`) within 300 s; then: rollback',
    details: { weight: 50 },
  });
  expect(await deployment.approve({ by: 'oncall' })).toMatch(/approved/);
  expect((await deployment.result()).outcome).toBe('promoted');
  // The deployment ended while its down webhook had answered nothing but 503s: it did not wait for it.
  expect(receiver.postsTo('/down').every((p) => p.status === 503)).toBe(true);
  await receiver.until(() => events('/spec', 'promoted', 'v3').length > 0);
});

test('a rollback is sent after traffic returned to stable, with the reason', async () => {
  const spec = withWebhooks(
    classifierSpec(ENDPOINT, 'v4', {
      rollout: { strategy: 'canary', watch: { duration: 0 }, steps: [{ weight: 50, bake: '1s', analysis: false, approval: { timeout: '5m' } }] },
    }),
    [{ url: `${receiver.url}/spec`, events: ['rolledBack'] }],
  );
  const deployment = await stack.client.deploy(spec);
  await receiver.until(() => slackAbout('v4').length > 0); // the worker's webhook hears of the approval gate
  await deployment.abort({ by: 'oncall', reason: 'pager fired' });
  const result = await deployment.result();
  expect(result.outcome).toBe('rolledBack');
  await receiver.until(() => events('/spec', 'rolledBack', 'v4').length > 0);
  expect(events('/spec', 'rolledBack', 'v4')[0]?.body).toMatchObject({
    summary: 'v4 rolled back on notify: traffic returned to v3',
    reason: 'RolloutAborted: aborted by oncall: pager fired',
    details: { strategy: 'canary', stableVersion: 'v3' },
  });
  expect(events('/spec', 'waitingForApproval', 'v4')).toEqual([]); // filtered by `events`
});
