/** `modelship rollback <endpoint>`: return an endpoint to the version that was stable before the last promotion. */
import { CliError } from '../cliError';
import { requestCommand } from '../controlCommand';
import { endpointTarget } from '../deploymentTarget';
import { EXIT_CODES } from '../exitCodes';

export const rollbackCommand = requestCommand(
  'rollback',
  'return an endpoint to its previous stable version (verified by inference on every replica)',
  '<endpoint>',
  async (client, positionals, request, usage) => {
    const endpoint = endpointTarget(positionals[0]);
    if (!endpoint || positionals.length > 1)
      throw new CliError('name one endpoint (to stop a rollout in progress, use `modelship abort`)', EXIT_CODES.error, usage);
    return client.endpoint(endpoint).rollback(request);
  },
);
