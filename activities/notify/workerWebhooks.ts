/**
 * A worker's own webhooks, told of every deployment's events besides those its spec names: from
 * `MODELSHIP_WEBHOOKS` (a JSON array of webhooks, as in the spec's `notifications.webhooks`) and
 * `modelship worker --webhook <url>[,format=slack]`. A worker is where secrets belong (a Slack
 * webhook URL is one): unlike a spec's, they never enter a workflow's history.
 */
import { z } from 'zod';
import { SetupError } from '../../sdk/errors';
import { webhook, type Webhook } from '../../sdk/schemas';
import { formatIssues } from '../../sdk/schemas/parse';

/** A failed parse as one line: `path: message; …`. */
function problems(error: z.ZodError): string {
  return formatIssues(error)
    .map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message))
    .join('; ');
}

/** The webhooks of `MODELSHIP_WEBHOOKS`; none when unset. A value that is not a valid list stops the worker, saying what is wrong. */
export function webhooksFromEnv(env: NodeJS.ProcessEnv = process.env): Webhook[] {
  const text = env.MODELSHIP_WEBHOOKS?.trim();
  if (!text) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SetupError(`MODELSHIP_WEBHOOKS is not JSON: ${error instanceof Error ? error.message : String(error)}`, WEBHOOKS_HINT);
  }
  const parsed = z.array(webhook).safeParse(value);
  if (!parsed.success) throw new SetupError(`MODELSHIP_WEBHOOKS: ${problems(parsed.error)}`, WEBHOOKS_HINT);
  return parsed.data;
}

/** A `--webhook` flag: `<url>` or `<url>,format=slack` (or `format=json`). */
export function webhookFromFlag(flag: string): Webhook {
  const [url = '', ...settings] = flag.split(',');
  const fields: Record<string, string> = {};
  for (const setting of settings) {
    const [key, value] = setting.split('=', 2);
    if (key?.trim() !== 'format' || value === undefined) throw new SetupError(`--webhook ${flag}: unknown setting "${setting}"`, FLAG_HINT);
    fields.format = value.trim();
  }
  const parsed = webhook.safeParse({ url: url.trim(), ...fields });
  if (!parsed.success) throw new SetupError(`--webhook ${flag}: ${problems(parsed.error)}`, FLAG_HINT);
  return parsed.data;
}

const WEBHOOKS_HINT = 'set it to a JSON array like [{"url":"https://hooks.slack.com/services/…","format":"slack"}], or unset it';
const FLAG_HINT = 'write --webhook https://host/path or --webhook https://host/path,format=slack';
