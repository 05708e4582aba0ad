/** The shape shared by `approve`, `abort`, `pause` and `resume`: a deployment, who, why. */
import type { DeploymentHandle } from '../sdk/client';
import { resolveDeployment } from './deploymentTarget';
import { CONTROL_FLAGS, controlOptions, type Command } from './command';
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
        CONTROL_FLAGS,
        controlOptions,
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
