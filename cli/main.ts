/**
 * The `modelship` command. One command per file under `commands/`; this file only dispatches and
 * is the one place that prints errors (as `errorReport.ts` words them) and sets the exit code.
 */
import { CliError } from './cliError';
import { didYouMean } from './closestMatch';
import type { Command } from './command';
import type * as ErrorReport from './errorReport';
import { EXIT_CODES } from './exitCodes';

/** A command loaded when it runs: `exportName` of `commands/<file>`. */
function lazy(file: string, exportName: string): () => Command {
  return () => {
    const command = (require(`./commands/${file}`) as Record<string, Command | undefined>)[exportName];
    if (!command) throw new Error(`cli/commands/${file} exports no ${exportName}`);
    return command;
  };
}

/**
 * Every command by name, each loaded when it runs (`require`, not `import()`: the CLI is CommonJS), so a
 * command pays only for what it uses: `modelship setup` starts in a fraction of a second.
 */
const COMMANDS: Readonly<Record<string, () => Command>> = {
  setup: lazy('setup', 'setupCommand'),
  dev: lazy('dev', 'devCommand'),
  deploy: lazy('deploy', 'deployCommand'),
  status: lazy('status', 'statusCommand'),
  approve: lazy('approve', 'approveCommand'),
  abort: lazy('abort', 'abortCommand'),
  retry: lazy('retry', 'retryCommand'),
  pause: lazy('pause', 'pauseCommand'),
  resume: lazy('resume', 'resumeCommand'),
  rollback: lazy('rollback', 'rollbackCommand'),
  history: lazy('history', 'historyCommand'),
  versions: lazy('versions', 'versionsCommand'),
  alias: lazy('alias', 'aliasCommand'),
  serve: lazy('serve', 'serveCommand'),
  worker: lazy('worker', 'workerCommand'),
  'setup-namespace': lazy('setupNamespace', 'setupNamespaceCommand'),
  traffic: lazy('traffic', 'trafficCommand'),
  capture: lazy('capture', 'captureCommand'),
  drift: lazy('drift', 'driftCommand'),
  gc: lazy('gc', 'gcCommand'),
  schema: lazy('schema', 'schemaCommand'),
};

/** The list of commands with their summaries (this loads them all). */
function help(): string {
  const commands = Object.values(COMMANDS).map((load) => load());
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: modelship <command> [options]',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
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
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    const names = Object.keys(COMMANDS);
    throw new CliError(`unknown command "${name}"${didYouMean(name, names)}`, EXIT_CODES.error, `commands: ${names.join(', ')} (modelship --help)`);
  }
  const command = load();
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
    // Loaded only for an error: it knows every client and gRPC error type (a cost `modelship setup` need not pay).
    const { formatCliError } = require('./errorReport') as typeof ErrorReport;
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
