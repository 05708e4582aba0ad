/**
 * The shape of one `modelship` command, the one scaffold that parses its command line
 * ({@link defineCommand}), and the option sets commands share.
 */
import { z } from 'zod';
import { parseCommandLine, type Flags } from './options';

/** The shape of one `modelship` command. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Runs the command; returns the exit code. Throws {@link CliError} for errors to print. */
  run(argv: string[]): Promise<number>;
}

/** A command as it is written: its flags (the syntax), a schema for them (the meaning), and what it does with both. */
export interface CommandDefinition<S extends z.ZodType> {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly flags: Flags;
  readonly options: S;
  /** Runs with the parsed options and the positional arguments; returns the exit code. */
  run(options: z.output<S>, positionals: string[]): Promise<number>;
}

/** A command from its definition: it parses the command line (wrong flags: a {@link CliError} with the usage), then runs. */
export function defineCommand<S extends z.ZodType>(definition: CommandDefinition<S>): Command {
  const { name, summary, usage } = definition;
  return {
    name,
    summary,
    usage,
    async run(argv) {
      const { options, positionals } = parseCommandLine(argv, definition.flags, definition.options, usage);
      return definition.run(options, positionals);
    },
  };
}

/** Flags commands share, with the schema of their parsed form: spread into a {@link CommandDefinition}. */
export interface OptionSet<S extends z.ZodType> {
  readonly flags: Flags;
  readonly options: S;
}

/** Connection flags every command that talks to Temporal takes. */
export const CONNECTION_OPTIONS = {
  flags: { address: { type: 'string' }, namespace: { type: 'string' }, profile: { type: 'string' } },
  options: z.object({ address: z.string().optional(), namespace: z.string().optional(), profile: z.string().optional() }),
} as const satisfies OptionSet<z.ZodType>;
export type ConnectionOptions = z.output<typeof CONNECTION_OPTIONS.options>;

/** `--json` and the connection flags: commands that print something. */
export const JSON_OPTIONS = {
  flags: { json: { type: 'boolean' }, ...CONNECTION_OPTIONS.flags },
  options: CONNECTION_OPTIONS.options.extend({ json: z.boolean().default(false) }),
} as const satisfies OptionSet<z.ZodType>;

/** Who asks, and why (`--by`, `--reason`), and the connection flags: commands that change something. */
export const CONTROL_OPTIONS = {
  flags: { reason: { type: 'string' }, by: { type: 'string' }, ...CONNECTION_OPTIONS.flags },
  options: CONNECTION_OPTIONS.options.extend({ reason: z.string().optional(), by: z.string().default(process.env.USER ?? 'cli') }),
} as const satisfies OptionSet<z.ZodType>;
