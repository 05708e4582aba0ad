/** `modelship alias <endpoint> <name> <version>`: set or move an alias (`champion`), usable wherever a version is. */
import { CliError } from '../cliError';
import { CONTROL_OPTIONS } from '../command';
import { connectedCommand } from '../connection';
import { endpointTarget } from '../deploymentTarget';
import { EXIT_CODES } from '../exitCodes';

const usage = 'modelship alias <endpoint> <name> <version> [--by NAME] [--address host:port]';

export const aliasCommand = connectedCommand({
  name: 'alias',
  summary: 'point an alias (e.g. champion) at a version that served an endpoint; use it in `rollback --to` and `version:<alias>` sources',
  usage,
  ...CONTROL_OPTIONS,
  target(positionals) {
    const [endpoint, alias, version] = positionals;
    if (!endpointTarget(endpoint) || !alias || !version || positionals.length > 3)
      throw new CliError('name an endpoint, the alias and the version it names', EXIT_CODES.error, usage);
    return { endpoint: endpoint as string, alias, version };
  },
  async run(client, { endpoint, alias, version }, options) {
    console.log(await client.endpoint(endpoint).setAlias(alias, version, options.by));
    return EXIT_CODES.promoted;
  },
});
