/** The shape shared by `approve`, `abort`, `pause` and `resume`: a deployment, who, why. */
import { z } from 'zod';
import type { DeploymentHandle } from '../sdk/client';
import { resolveDeployment } from './deploymentTarget';
import { CONNECTION_FLAGS, type Command } from './command';
import { connect } from './commands/deploy';
import { EXIT_CODES } from './exitCodes';
import { parseCommandLine } from './options';

export function controlCommand(
  name: string,
  summary: string,
  act: (deployment: DeploymentHandle, request: { by?: string; reason?: string }) => Promise<string>,
): Command {
  const usage = `modelship ${name} <endpoint>[/<version>] [--reason "..."] [--by NAME] [--address host:port]`;
  return {
    name,
    summary,
    usage,
    async run(argv) {
      const { options, positionals } = parseCommandLine(
        argv,
        { reason: { type: 'string' }, by: { type: 'string' }, ...CONNECTION_FLAGS },
        z.object({ reason: z.string().optional(), by: z.string().default(process.env.USER ?? 'cli'), address: z.string().optional(), namespace: z.string().optional(), profile: z.string().optional() }),
        usage,
      );
      const client = await connect(options);
      try {
        const deployment = await resolveDeployment(client, positionals[0], usage);
        console.log(await act(deployment, { by: options.by, reason: options.reason }));
        return EXIT_CODES.promoted;
      } finally {
        await client.close();
      }
    },
  };
}
