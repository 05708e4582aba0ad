/**
 * The `modelship` command. One command per file under `commands/`; this file only dispatches and
 * is the one place that prints errors and sets the exit code.
 */
import { InvalidSpecError, ModelshipClientError } from '../sdk/errors';
import { CliError } from './cliError';
import type { Command } from './command';
import { abortCommand } from './commands/abort';
import { approveCommand } from './commands/approve';
import { captureCommand } from './commands/capture';
import { deployCommand } from './commands/deploy';
import { historyCommand } from './commands/history';
import { rollbackCommand } from './commands/rollback';
import { pauseCommand } from './commands/pause';
import { resumeCommand } from './commands/resume';
import { schemaCommand } from './commands/schema';
import { devCommand } from './commands/dev';
import { gcCommand } from './commands/gc';
import { serveCommand } from './commands/serve';
import { statusCommand } from './commands/status';
import { trafficCommand } from './commands/traffic';
import { workerCommand } from './commands/worker';
import { EXIT_CODES } from './exitCodes';

const COMMANDS: readonly Command[] = [
  devCommand,
  deployCommand,
  statusCommand,
  approveCommand,
  abortCommand,
  pauseCommand,
  resumeCommand,
  rollbackCommand,
  historyCommand,
  serveCommand,
  workerCommand,
  trafficCommand,
  captureCommand,
  gcCommand,
  schemaCommand,
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: modelship <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'modelship <command> --help for its options',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? EXIT_CODES.promoted : EXIT_CODES.error;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new CliError(`unknown command "${name}"`, EXIT_CODES.error, help());
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`${command.summary}\n\nusage: ${command.usage}`);
    return EXIT_CODES.promoted;
  }
  return command.run(rest);
}

function report(error: unknown): number {
  if (error instanceof CliError) {
    console.error(`error: ${error.message}`);
    if (error.hint) console.error(`\n${error.hint}`);
    return error.exitCode;
  }
  if (error instanceof InvalidSpecError || error instanceof ModelshipClientError) {
    console.error(`error: ${error.message}`);
    return EXIT_CODES.error;
  }
  console.error(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return EXIT_CODES.error;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.exitCode = report(error);
    },
  );
}
