/** `modelship dev`: the embedded default environment, in the foreground until Ctrl-C. */
import { z } from 'zod';
import { startDevEnvironment, type DevEnvironment } from '../dev/devEnvironment';
import { defineCommand } from '../command';
import { untilSignal } from '../signals';
import { stringFlags } from '../options';

const usage = 'modelship dev [--port 7233] [--ui-port 8233] [--gateway-port 8000] [--grpc-port 8001] [--state-dir .modelship] [--verbose]';

const port = z.coerce.number().int().min(1).max(65535);

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
    'state-dir': z.string().default('.modelship'),
    verbose: z.boolean().default(false),
  }),
  async run(options) {
    console.log('starting the local environment…');
    const env = await startDevEnvironment({
      temporalPort: options.port,
      uiPort: options['ui-port'],
      gatewayPort: options['gateway-port'],
      grpcPort: options['grpc-port'],
      stateDir: options['state-dir'],
      verbose: options.verbose,
    });
    printEnvironment(env);
    console.log('press Ctrl-C to stop');
    await untilSignal();
    console.log('stopping…');
    await env.stop();
    return 0;
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
