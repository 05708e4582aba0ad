/** Turning zod errors into `path: message` lines people can act on. */
import type { z } from 'zod';
import { InvalidSpecError } from '../errors';

/** Each problem of a failed parse, with a dotted/bracketed path (`stages.benchmark.runs`, `versions[0].weight`). */
export function formatIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join(''),
    message: issue.message,
  }));
}

/** Parses `input` with `schema`, or throws an {@link InvalidSpecError} naming `source` and every problem. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, source: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidSpecError(source, formatIssues(result.error));
  return result.data;
}
