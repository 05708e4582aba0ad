/** Primitive schemas shared by every document: names, digests, durations. Pure zod. */
import { z } from 'zod';

/** An endpoint name: a DNS label, so it fits URLs, workflow ids and metric labels unchanged. */
export const endpointName = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a DNS label: lowercase letters, digits and "-", 1-63 chars');

/** A version name: what a deployment calls this model build (`v3`, `2026-11-21.1`, a git sha). */
export const versionName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 chars of letters, digits, ".", "_" or "-", starting alphanumeric');

/** A lowercase hex sha256 digest. */
export const sha256Digest = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex sha256 digest');

const DURATION_UNITS_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION_PATTERN = /^(\d+(?:\.\d+)?(?:ms|s|m|h))+$/;

/** Parses `"1m30s"`, `"500ms"`, `"2h"` into milliseconds; `undefined` if malformed. */
export function parseDurationMs(text: string): number | undefined {
  if (!DURATION_PATTERN.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(amount) * DURATION_UNITS_MS[unit as keyof typeof DURATION_UNITS_MS];
  }
  return Math.round(total);
}

/** A duration written as `"30s"`/`"5m"`/`"250ms"` or as milliseconds; parses to milliseconds. */
export const duration = z
  .custom<string | number>(
    (v) => typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v) && v >= 0),
    'must be a duration like "500ms", "30s", "5m" or "1h", or whole milliseconds',
  )
  .transform((value, ctx) => {
    if (typeof value === 'number') return value;
    const ms = parseDurationMs(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration like "500ms", "30s", "5m" or "1h"` });
      return z.NEVER;
    }
    return ms;
  });
