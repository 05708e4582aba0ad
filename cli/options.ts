/** Command-line options: `util.parseArgs` for the syntax, a zod schema for the meaning. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import { formatIssues } from '../sdk/schemas';
import { CliError } from './cliError';

/** Flags as `util.parseArgs` takes them. */
export type Flags = NonNullable<ParseArgsConfig['options']>;

/** Flags that each take one string value (what it means, the command's schema says). */
export function stringFlags(...names: string[]): Flags {
  return Object.fromEntries(names.map((name) => [name, { type: 'string' as const }]));
}

export interface ParsedCommandLine<T> {
  options: T;
  positionals: string[];
}

export function parseCommandLine<S extends z.ZodType>(argv: string[], flags: Flags, schema: S, usage: string): ParsedCommandLine<z.output<S>> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: flags, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError((error as Error).message, 1, usage);
  }
  const result = schema.safeParse(parsed.values);
  if (!result.success) {
    throw new CliError(
      formatIssues(result.error)
        .map((i) => `--${i.path}: ${i.message}`)
        .join('\n'),
      1,
      usage,
    );
  }
  return { options: result.data, positionals: parsed.positionals };
}
