/** The shape of commands that change something: a target, who asks (`--by`) and why (`--reason`). */
import type { DeploymentHandle, ModelshipClient } from '../sdk/client';
import { resolveDeployment } from './deploymentTarget';
import { CONTROL_FLAGS, controlOptions, type Command } from './command';
import { connect } from './commands/deploy';
import { EXIT_CODES } from './exitCodes';
import { parseCommandLine } from './options';

export interface ControlRequestOptions {
  by?: string;
  reason?: string;
}

/** A command that parses the control flags, connects, runs `act` and prints what it answers. */
export function requestCommand(
  name: string,
  summary: string,
  target: string,
  act: (client: ModelshipClient, positionals: string[], request: ControlRequestOptions, usage: string) => Promise<string>,
): Command {
  const usage = `modelship ${name} ${target} [--reason "..."] [--by NAME] [--address host:port]`;
  return {
    name,
    summary,
    usage,
    async run(argv) {
      const { options, positionals } = parseCommandLine(argv, CONTROL_FLAGS, controlOptions, usage);
      const client = await connect(options);
      try {
        console.log(await act(client, positionals, { by: options.by, reason: options.reason }, usage));
        return EXIT_CODES.promoted;
      } finally {
        await client.close();
      }
    },
  };
}

/** `approve`, `abort`, `pause` and `resume`: a deployment (or an endpoint's deployment in progress), who, why. */
export function controlCommand(name: string, summary: string, act: (deployment: DeploymentHandle, request: ControlRequestOptions) => Promise<string>): Command {
  return requestCommand(name, summary, '<endpoint>[/<version>]', async (client, positionals, request, usage) =>
    act(await resolveDeployment(client, positionals[0], usage), request),
  );
}
