/** What the CLI prints when it stops: a message, what to do about it, and the exit code. */
import { EXIT_CODES, type ExitCode } from './exitCodes';

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT_CODES.error,
    readonly hint?: string,
  ) {
    super(message);
  }
}
