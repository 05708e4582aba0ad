/** Command-line options: `util.parseArgs` for the syntax, a zod schema for the meaning. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { formatIssues } from '../sdk/schemas/parse';
import type * as OpenStore from '../store/openStore';
import { CliError } from './cliError';
import { didYouMean } from './closestMatch';

/** Flags every command takes: `--verbose` (the stack trace of an error; `dev`: its children's output too). */
const COMMON_FLAGS: Flags = { verbose: { type: 'boolean' } };

/** The `--store` option of the commands that open the store: a URI, default `MODELSHIP_STORE` or the local store. */
export function storeOption(): z.ZodDefault<z.ZodString> {
  // Required here, not above: the store (and the AWS SDK under it) loads only for the commands that open one.
  const { DEFAULT_STORE_URI } = require('../store/openStore') as typeof OpenStore;
  return z.string().default(process.env.MODELSHIP_STORE ?? DEFAULT_STORE_URI);
}

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
  const all = { ...COMMON_FLAGS, ...flags };
  try {
    parsed = parseArgs({ args: argv, options: all, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(describeParseError(error as Error, Object.keys(all)), 1, usage);
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

/** `util.parseArgs`'s complaint in one line, with the nearest flag for an unknown one. */
function describeParseError(error: Error, names: string[]): string {
  const unknown = /^Unknown option '(-{1,2})([^']*)'/.exec(error.message);
  if (unknown) return `unknown option ${unknown[1]}${unknown[2]}${didYouMean(unknown[2] ?? '', names, (n) => `--${n}`)}`;
  const missing = /^Option '([^']*)' argument missing/.exec(error.message);
  if (missing) return `${missing[1]?.replace(/ <value>$/, '')} needs a value`;
  const first = error.message.split('. ', 1)[0] ?? error.message;
  return first.charAt(0).toLowerCase() + first.slice(1);
}
