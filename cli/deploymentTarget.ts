/**
 * How commands name what they act on: a deployment as `deploy/<endpoint>/<version>` (its workflow
 * id) or `<endpoint>/<version>`; an endpoint as `<endpoint>` (for a deployment: the one in progress).
 */
import type { DeploymentHandle, ModelshipClient } from '../sdk/client';
import { deploymentWorkflowId } from '../sdk/names';
import { endpointName } from '../sdk/schemas';
import { CliError } from './cliError';
import { EXIT_CODES } from './exitCodes';

/** The workflow id a command-line target names, or `undefined` if it names none. */
export function deploymentTarget(target: string | undefined): string | undefined {
  const parts = target?.split('/') ?? [];
  if (parts[0] === 'deploy' && parts.length === 3) return target;
  if (parts.length === 2 && parts[0] && parts[1]) return deploymentWorkflowId(parts[0], parts[1]);
  return undefined;
}

/** An endpoint name (no slash), or `undefined`. */
export function endpointTarget(target: string | undefined): string | undefined {
  return endpointName.safeParse(target).success ? target : undefined;
}

/** The one endpoint the positional arguments name; otherwise a {@link CliError} (`name one endpoint`, and `hint`) with the usage. */
export function oneEndpoint(positionals: string[], usage: string, hint = ''): string {
  const endpoint = endpointTarget(positionals[0]);
  if (!endpoint || positionals.length > 1) throw new CliError(`name one endpoint${hint}`, EXIT_CODES.error, usage);
  return endpoint;
}

/** The deployment a target names: by id, or the one in progress at an endpoint. */
export async function resolveDeployment(client: ModelshipClient, target: string | undefined, usage: string): Promise<DeploymentHandle> {
  const workflowId = deploymentTarget(target);
  if (workflowId) return client.deployment(workflowId);
  const endpoint = endpointTarget(target);
  if (!endpoint) throw new CliError('name a deployment as <endpoint>/<version>, or an endpoint', EXIT_CODES.error, usage);
  const active = await client.endpoint(endpoint).active();
  if (!active)
    throw new CliError(
      `endpoint ${endpoint} has no deployment in progress`,
      EXIT_CODES.error,
      `see \`modelship status ${endpoint}\` and \`modelship history ${endpoint}\``,
    );
  return active;
}
