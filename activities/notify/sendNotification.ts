/**
 * The `sendNotification` activity's work: POST one event to every webhook that wants its kind (the
 * spec's and the worker's own), each in its format. Delivery is at least once: an attempt that
 * fails for some webhooks is retried by Temporal (with backoff, for a bounded time) for those not
 * yet delivered, which the attempt records in its heartbeat; an answer that retrying cannot change
 * (a 4xx other than 408 and 429) is given up on at once.
 */
import { ApplicationFailure } from '@temporalio/common';
import { workflowUiUrl } from '../../sdk/names';
import { webhookWants, type NotificationEvent, type Webhook } from '../../sdk/schemas';
import type { ActivityContext } from '../activityContext';
import { webhookBody } from './webhookMessage';

/** What the workflow asks: the event, and the webhooks of its spec. */
export interface SendNotificationInput {
  event: NotificationEvent;
  webhooks: Webhook[];
}

/** What was delivered, by webhook URL (without its query, which may hold a secret). */
export interface NotificationDelivery {
  delivered: string[];
  /** Webhooks given up on, with the answer that made retrying pointless. */
  refused: { url: string; reason: string }[];
}

/** What the worker adds: its own webhooks, and where its Temporal UI is (for a link to the workflow). */
export interface WorkerNotifications {
  webhooks: Webhook[];
  /** The Temporal UI's base URL (`MODELSHIP_UI_URL`); events without a link get one to their workflow's page. */
  uiUrl?: string;
}

/** Longest one POST may take before it counts as failed (and is retried). */
const REQUEST_TIMEOUT_MS = 10_000;

/** A webhook's answer that retrying cannot change: a 4xx other than 408 (timeout) and 429 (too many requests). */
export function isPermanentRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** A webhook's URL as logged and reported: its origin and path, never its query or credentials. */
export function webhookLabel(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/** The event, with a link to its workflow in the Temporal UI when it has none and the worker knows the UI. */
export function withUiLink(event: NotificationEvent, uiUrl: string | undefined): NotificationEvent {
  const { workflowId, namespace } = event.details ?? {};
  if (event.link || !uiUrl || typeof workflowId !== 'string' || typeof namespace !== 'string') return event;
  return { ...event, link: workflowUiUrl(uiUrl, namespace, workflowId) };
}

/** The same webhook named twice (in the spec and by the worker) is sent one event, in the spec's format. */
function distinct(webhooks: Webhook[]): Webhook[] {
  const seen = new Set<string>();
  return webhooks.filter((hook) => !seen.has(hook.url) && seen.add(hook.url));
}

/**
 * Sends `input.event` to the webhooks of the spec and of the worker that want it, skipping those an
 * earlier attempt delivered. Throws a retryable error while some webhook failed for a reason that
 * may pass, a non-retryable one when all that failed refused for good.
 */
export async function sendNotification(context: ActivityContext, input: SendNotificationInput, worker: WorkerNotifications): Promise<NotificationDelivery> {
  const earlier = (context.heartbeatDetails as Partial<NotificationDelivery> | undefined) ?? {};
  const delivery: NotificationDelivery = { delivered: [...(earlier.delivered ?? [])], refused: [...(earlier.refused ?? [])] };
  const done = new Set([...delivery.delivered, ...delivery.refused.map((r) => r.url)]);
  const event = withUiLink(input.event, worker.uiUrl);
  const pending = distinct([...input.webhooks, ...worker.webhooks]).filter((hook) => webhookWants(hook, input.event.kind) && !done.has(hook.url));
  const failures: string[] = [];
  await Promise.all(
    pending.map(async (hook) => {
      const outcome = await post(hook, event, context.signal);
      if (outcome.ok) delivery.delivered.push(hook.url);
      else if (outcome.permanent) delivery.refused.push({ url: hook.url, reason: outcome.reason });
      else failures.push(`${webhookLabel(hook.url)}: ${outcome.reason}`);
    }),
  );
  context.heartbeat(delivery);
  if (failures.length > 0) throw new Error(`notification ${input.event.kind} not delivered to ${failures.join('; ')}`);
  if (delivery.refused.length > 0 && delivery.delivered.length === 0) {
    const reasons = delivery.refused.map((r) => `${webhookLabel(r.url)}: ${r.reason}`).join('; ');
    throw ApplicationFailure.create({ type: 'WebhookRefused', message: `notification ${input.event.kind} refused by ${reasons}`, nonRetryable: true });
  }
  return { delivered: delivery.delivered.map(webhookLabel), refused: delivery.refused.map((r) => ({ ...r, url: webhookLabel(r.url) })) };
}

type PostOutcome = { ok: true } | { ok: false; permanent: boolean; reason: string };

async function post(hook: Webhook, event: NotificationEvent, cancelled: AbortSignal): Promise<PostOutcome> {
  try {
    const response = await fetch(hook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...hook.headers },
      body: JSON.stringify(webhookBody(hook, event)),
      signal: AbortSignal.any([cancelled, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
    });
    const text = await response.text().catch(() => '');
    if (response.ok) return { ok: true };
    const reason = `HTTP ${response.status}${text ? ` ${text.slice(0, 200)}` : ''}`;
    return { ok: false, permanent: isPermanentRefusal(response.status), reason };
  } catch (error) {
    return { ok: false, permanent: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
