/**
 * The `modelship` command. One command per file under `commands/`; this file only dispatches and
 * is the one place that prints errors (as `errorReport.ts` words them) and sets the exit code.
 */
import { CliError } from './cliError';
import { didYouMean } from './closestMatch';
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
import { setupNamespaceCommand } from './commands/setupNamespace';
import { statusCommand } from './commands/status';
import { trafficCommand } from './commands/traffic';
import { workerCommand } from './commands/worker';
import { formatCliError } from './errorReport';
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
  setupNamespaceCommand,
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
  if (!command) {
    const names = COMMANDS.map((c) => c.name);
    throw new CliError(`unknown command "${name}"${didYouMean(name, names)}`, EXIT_CODES.error, `commands: ${names.join(', ')} (modelship --help)`);
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`${command.summary}\n\nusage: ${command.usage}`);
    return EXIT_CODES.promoted;
  }
  return command.run(rest);
}

/**
 * Runs a command line to its exit code, printing any error as one line and what to do (its stack
 * trace with `--verbose` or `MODELSHIP_VERBOSE=1`). Never throws.
 */
export async function runCommandLine(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (error) {
    const { text, exitCode } = formatCliError(error, argv.includes('--verbose') || process.env.MODELSHIP_VERBOSE === '1');
    console.error(text);
    return exitCode;
  }
}

if (require.main === module) {
  void runCommandLine(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
