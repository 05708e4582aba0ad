/**
 * How commands reach Temporal: {@link connect} (an error that says what to do when it cannot), the
 * Temporal UI's URL, and the scaffold of commands that check their target, connect, act and close.
 */
import type { z } from 'zod';
import { ModelshipClient, TemporalConnectionError, TEMPORAL_UNREACHABLE_HINT as SDK_UNREACHABLE_HINT } from '../sdk/client';
import { CliError } from './cliError';
import { recordedUiUrl } from './dev/environmentRecord';
import { defineCommand, type Command, type CommandDefinition, type ConnectionOptions } from './command';
import { EXIT_CODES } from './exitCodes';

/** What to do when Temporal cannot be reached: the library's hint, with the command line's flag. */
export const TEMPORAL_UNREACHABLE_HINT = SDK_UNREACHABLE_HINT.replace('the `address` connection option', '`--address`');

/** How long the CLI waits for Temporal to accept a connection (`MODELSHIP_CONNECT_TIMEOUT_MS`, default 3 s): an unreachable server is an error at once. */
function connectTimeoutMs(): number {
  return Number(process.env.MODELSHIP_CONNECT_TIMEOUT_MS) || 3000;
}

/** A client connected as the flags (or the Temporal environment) say, with the `--store` of commands that take one; a {@link CliError} saying what to do when it cannot. */
export async function connect(options: ConnectionOptions & { store?: string }): Promise<ModelshipClient> {
  try {
    return await ModelshipClient.connect({ ...options, connectTimeoutMs: connectTimeoutMs() });
  } catch (error) {
    if (!(error instanceof TemporalConnectionError)) throw error;
    throw new CliError(`cannot reach Temporal at ${error.address}: ${error.reason}`, EXIT_CODES.error, TEMPORAL_UNREACHABLE_HINT);
  }
}

/** Where the Temporal UI is: `--ui-url`, `MODELSHIP_UI_URL`, or the one `modelship dev` recorded for this frontend; else none (no link). */
export function temporalUiUrl(address: string, explicit?: string): string | undefined {
  return explicit || process.env.MODELSHIP_UI_URL || recordedUiUrl(address);
}

/** A command that talks to Temporal: what it acts on (checked before connecting), then what it does with a client. */
export interface ConnectedCommandDefinition<S extends z.ZodType<ConnectionOptions>, T> extends Omit<CommandDefinition<S>, 'run'> {
  /** What the command acts on, from its arguments; throws a {@link CliError} (with the usage) when they name nothing. */
  target(positionals: string[], options: z.output<S>): T | Promise<T>;
  /** Runs with a connected client (closed afterwards); returns the exit code. */
  run(client: ModelshipClient, target: T, options: z.output<S>): Promise<number>;
}

export function connectedCommand<S extends z.ZodType<ConnectionOptions>, T>(definition: ConnectedCommandDefinition<S, T>): Command {
  return defineCommand({
    ...definition,
    async run(options, positionals) {
      const target = await definition.target(positionals, options);
      const client = await connect(options);
      try {
        return await definition.run(client, target, options);
      } finally {
        await client.close();
      }
    },
  });
}
