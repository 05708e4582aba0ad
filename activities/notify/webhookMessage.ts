/**
 * What a webhook receives for a notification: the event as is (`json`), or a Slack-compatible
 * message (`slack`: `{ text, blocks }` for an incoming webhook, `text` being the fallback shown in
 * notifications and by clients that do not render blocks). Pure.
 */
import type { NotificationEvent, NotificationKind, Webhook } from '../../sdk/schemas';

/** The emoji and the word a Slack message leads with, per kind of event. */
const HEADLINES: Readonly<Record<NotificationKind, { emoji: string; word: string }>> = {
  rejected: { emoji: ':no_entry:', word: 'Rejected' },
  rolledBack: { emoji: ':rewind:', word: 'Rolled back' },
  promoted: { emoji: ':white_check_mark:', word: 'Promoted' },
  waitingForApproval: { emoji: ':raised_hand:', word: 'Waiting for approval' },
  watchFailed: { emoji: ':rotating_light:', word: 'Watch failed' },
  driftAlert: { emoji: ':chart_with_downwards_trend:', word: 'Drift alert' },
};

/** Slack's limit on a section's text; longer reasons are cut (the JSON format keeps them whole). */
const SLACK_TEXT_LIMIT = 3000;

/** A Slack-compatible message: the fallback `text`, and blocks (header, fields, reason, link). */
export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

/** The request body `hook` is sent for `event`. */
export function webhookBody(hook: Pick<Webhook, 'format'>, event: NotificationEvent): unknown {
  return hook.format === 'slack' ? slackMessage(event) : event;
}

export function slackMessage(event: NotificationEvent): SlackMessage {
  const headline = HEADLINES[event.kind];
  const text = `${headline.emoji} ${headline.word}: ${event.summary}`;
  const fields = [`*Endpoint*\n${event.endpoint}`, ...(event.version ? [`*Version*\n${event.version}`] : []), `*When*\n${event.at}`];
  const blocks: Record<string, unknown>[] = [
    { type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(text) } },
    { type: 'section', fields: fields.map((field) => ({ type: 'mrkdwn', text: escapeMrkdwn(field) })) },
  ];
  if (event.reason) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(`*Reason*\n${escapeMrkdwn(event.reason)}`) } });
  if (event.link) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `<${event.link}|Details>` }] });
  return { text: cut(event.reason ? `${text} (${event.reason})` : text), blocks };
}

/** Slack's mrkdwn treats `&`, `<` and `>` as markup: escaped, so a reason cannot forge a link or a mention. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function cut(text: string): string {
  return text.length <= SLACK_TEXT_LIMIT ? text : `${text.slice(0, SLACK_TEXT_LIMIT - 1)}…`;
}
