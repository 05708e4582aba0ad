/** The shape of commands that change something: a target, who asks (`--by`) and why (`--reason`). */
import type { DeploymentHandle, ModelshipClient } from '../sdk/client';
import { CONTROL_OPTIONS, type Command } from './command';
import { connectedCommand } from './connection';
import { resolveDeployment } from './deploymentTarget';
import { EXIT_CODES } from './exitCodes';

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
  return connectedCommand({
    name,
    summary,
    usage,
    ...CONTROL_OPTIONS,
    target: (positionals) => positionals,
    async run(client, positionals, options) {
      console.log(await act(client, positionals, { by: options.by, reason: options.reason }, usage));
      return EXIT_CODES.promoted;
    },
  });
}

/** `approve`, `abort`, `pause` and `resume`: a deployment (or an endpoint's deployment in progress), who, why. */
export function controlCommand(name: string, summary: string, act: (deployment: DeploymentHandle, request: ControlRequestOptions) => Promise<string>): Command {
  return requestCommand(name, summary, '<endpoint>[/<version>]', async (client, positionals, request, usage) =>
    act(await resolveDeployment(client, positionals[0], usage), request),
  );
}
