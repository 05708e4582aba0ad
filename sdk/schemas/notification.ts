/**
 * Notifications: the event a deployment, a post-promotion watch or a drift check sends when
 * something worth a person's attention happens, and the webhooks (in the pipeline spec, or the
 * worker's own) it is sent to. Pure zod, workflow-safe.
 */
import { z } from 'zod';

/** What happened: a refused model, a rollback, a promotion, a step waiting for approval, a failed watch, a drift alert. */
export const NOTIFICATION_KINDS = ['rejected', 'rolledBack', 'promoted', 'waitingForApproval', 'watchFailed', 'driftAlert'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** One notification, sent as is to `json` webhooks and rendered as a message for `slack` ones. */
export const notificationEvent = z.strictObject({
  /** What happened. */
  kind: z.enum(NOTIFICATION_KINDS),
  /** The endpoint it happened to. */
  endpoint: z.string().min(1),
  /** The version concerned, when one is. */
  version: z.string().min(1).optional(),
  /** One line a person reads first (`sentiment v3 promoted on sentiment`). */
  summary: z.string().min(1),
  /** Why: the failure's type and message, the approval asked for, the drift found. */
  reason: z.string().optional(),
  /** When it happened (ISO 8601). */
  at: z.string().min(1),
  /** The numbers behind it (workflow id, weights, verdicts), for receivers that read them. */
  details: z.record(z.string(), z.unknown()).optional(),
  /** Where to read more: the deployment in the Temporal UI (when the worker knows its URL, `MODELSHIP_UI_URL`) or its report. */
  link: z.string().optional(),
});
export type NotificationEvent = z.output<typeof notificationEvent>;

/** One receiver of notifications. */
export const webhook = z.strictObject({
  /** Where the event is POSTed (`http://` or `https://`). */
  url: z.url({ protocol: /^https?$/ }),
  /** `json`: the event as is; `slack`: a Slack-compatible message (`{ text, blocks }`) for an incoming webhook. */
  format: z.enum(['json', 'slack']).default('json'),
  /** Which kinds of event this webhook receives; every kind when unset. `rolledBack` includes `watchFailed` (a watch's rollback). */
  events: z.array(z.enum(NOTIFICATION_KINDS)).min(1).optional(),
  /** Extra request headers (e.g. an authorization); they are kept in the workflow's history, so prefer a worker's webhooks for secrets. */
  headers: z.record(z.string(), z.string()).optional(),
});
export type Webhook = z.output<typeof webhook>;
export type WebhookInput = z.input<typeof webhook>;

/** Where a pipeline's notifications go (besides the worker's own webhooks). */
export const notificationsConfig = z.strictObject({
  /** The webhooks every event of this deployment is sent to (each filtered by its `events`). */
  webhooks: z.array(webhook).max(20).default([]),
});
export type NotificationsConfig = z.output<typeof notificationsConfig>;

/**
 * Whether `hook` receives events of `kind`. A watch that fails is a rollback (traffic returns to the
 * previous version): a webhook that asks for `rolledBack` receives `watchFailed` too.
 */
export function webhookWants(hook: Pick<Webhook, 'events'>, kind: NotificationKind): boolean {
  return hook.events === undefined || hook.events.includes(kind) || (kind === 'watchFailed' && hook.events.includes('rolledBack'));
}
