/**
 * `modelship dev`: the embedded default environment, in the foreground until Ctrl-C or SIGTERM
 * (which stop every child). A child that dies is reported and restarted; if one keeps dying, dev
 * stops everything and exits 1 saying which and why. While it runs, where its frontend and UI are is
 * recorded in the state directory (`environment.json`) for `modelship deploy`'s UI link.
 */
import path from 'node:path';
import { z } from 'zod';
import { startDevEnvironment, type DevEnvironment } from '../dev/devEnvironment';
import { PortInUseError } from '../../sdk/errors';
import { defaultStateDir, removeEnvironmentRecord, writeEnvironmentRecord } from '../dev/environmentRecord';
import { CliError } from '../cliError';
import { defineCommand } from '../command';
import { EXIT_CODES } from '../exitCodes';
import { untilSignal } from '../signals';
import { stringFlags } from '../options';

const usage = 'modelship dev [--port 7233] [--ui-port 8233] [--gateway-port 8000] [--grpc-port 8001] [--state-dir .modelship] [--verbose]';

const port = z.coerce.number().int().min(1).max(65535);

/** The flag that chooses each port `startDevEnvironment` names by its option. */
const PORT_FLAGS: Readonly<Record<string, string>> = { temporalPort: '--port', uiPort: '--ui-port', gatewayPort: '--gateway-port', grpcPort: '--grpc-port' };

export const devCommand = defineCommand({
  name: 'dev',
  summary: 'start a local Temporal dev server (with UI), a CPU worker and a gateway',
  usage,
  flags: {
    ...stringFlags('port', 'ui-port', 'gateway-port', 'grpc-port', 'state-dir'),
    verbose: { type: 'boolean' },
  },
  options: z.object({
    port: port.default(7233),
    'ui-port': port.optional(),
    'gateway-port': port.default(8000),
    'grpc-port': port.default(8001),
    'state-dir': z.string().default(defaultStateDir()),
    verbose: z.boolean().default(false),
  }),
  async run(options) {
    // Signals come to dev alone (its children run in process groups of their own): it stops them.
    const stopping = new AbortController();
    const signalled = untilSignal().then((signal) => {
      stopping.abort();
      void untilSignal().then(() => console.log('still stopping…')); // a second Ctrl-C does not orphan the children
      return signal;
    });
    console.log('starting the local environment…');
    let env: DevEnvironment;
    try {
      env = await startDevEnvironment({
        temporalPort: options.port,
        uiPort: options['ui-port'],
        gatewayPort: options['gateway-port'],
        grpcPort: options['grpc-port'],
        stateDir: options['state-dir'],
        verbose: options.verbose,
        signal: stopping.signal,
      });
    } catch (error) {
      if (error instanceof PortInUseError) {
        throw new CliError(
          `port ${error.port} is already in use`,
          EXIT_CODES.error,
          `stop what listens there, or pass ${PORT_FLAGS[error.option] ?? error.option}`,
        );
      }
      if (!stopping.signal.aborted) throw error;
      console.log('stopped before the environment was up');
      return EXIT_CODES.promoted;
    }
    printEnvironment(env);
    const stateDir = path.dirname(env.logDir);
    await writeEnvironmentRecord(stateDir, { temporalAddress: env.temporalAddress, pid: process.pid, ...(env.uiUrl ? { uiUrl: env.uiUrl } : {}) });
    console.log('a process that dies is restarted (reported here); press Ctrl-C to stop');
    // Children in their own process groups and restart timers may all be gone at once: stay until told.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    try {
      const ended = await Promise.race([signalled.then((signal) => ({ signal })), env.gaveUp.then((reason) => ({ reason }))]);
      if ('reason' in ended) throw new CliError(`the local environment stopped: ${ended.reason.message}`, EXIT_CODES.error, `see the logs in ${env.logDir}`);
      console.log(`${ended.signal}: stopping…`);
      await env.stop();
      return EXIT_CODES.promoted;
    } finally {
      clearInterval(keepAlive);
      await removeEnvironmentRecord(stateDir);
    }
  },
});

export function printEnvironment(env: DevEnvironment): void {
  console.log(`  temporal   ${env.temporalAddress}   (export TEMPORAL_ADDRESS=${env.temporalAddress})`);
  if (env.uiUrl) console.log(`  ui         ${env.uiUrl}`);
  console.log(`  gateway    ${env.gatewayUrl}/v2`);
  console.log(`  gRPC       ${env.grpcAddress}   (KServe v2, e.g. tritonclient.grpc)`);
  console.log(`  store      ${env.storeUri}`);
  console.log(`  logs       ${env.logDir}`);
}
