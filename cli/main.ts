/**
 * The `modelship` command. One command per file under `commands/`; this file only dispatches and
 * is the one place that prints errors (as `errorReport.ts` words them) and sets the exit code.
 */
import { CliError } from './cliError';
import { didYouMean } from './closestMatch';
import type { Command } from './command';
import type * as ErrorReport from './errorReport';
import { EXIT_CODES } from './exitCodes';

/**
 * Every command by name, each loaded when it runs (`require`, not `import()`: the CLI is CommonJS), so a
 * command pays only for what it uses: `modelship setup` starts in a fraction of a second.
 */
const COMMANDS: Readonly<Record<string, () => Command>> = {
  setup: () => (require('./commands/setup') as Record<'setupCommand', Command>).setupCommand,
  dev: () => (require('./commands/dev') as Record<'devCommand', Command>).devCommand,
  deploy: () => (require('./commands/deploy') as Record<'deployCommand', Command>).deployCommand,
  status: () => (require('./commands/status') as Record<'statusCommand', Command>).statusCommand,
  approve: () => (require('./commands/approve') as Record<'approveCommand', Command>).approveCommand,
  abort: () => (require('./commands/abort') as Record<'abortCommand', Command>).abortCommand,
  pause: () => (require('./commands/pause') as Record<'pauseCommand', Command>).pauseCommand,
  resume: () => (require('./commands/resume') as Record<'resumeCommand', Command>).resumeCommand,
  rollback: () => (require('./commands/rollback') as Record<'rollbackCommand', Command>).rollbackCommand,
  history: () => (require('./commands/history') as Record<'historyCommand', Command>).historyCommand,
  serve: () => (require('./commands/serve') as Record<'serveCommand', Command>).serveCommand,
  worker: () => (require('./commands/worker') as Record<'workerCommand', Command>).workerCommand,
  'setup-namespace': () => (require('./commands/setupNamespace') as Record<'setupNamespaceCommand', Command>).setupNamespaceCommand,
  traffic: () => (require('./commands/traffic') as Record<'trafficCommand', Command>).trafficCommand,
  capture: () => (require('./commands/capture') as Record<'captureCommand', Command>).captureCommand,
  gc: () => (require('./commands/gc') as Record<'gcCommand', Command>).gcCommand,
  schema: () => (require('./commands/schema') as Record<'schemaCommand', Command>).schemaCommand,
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
