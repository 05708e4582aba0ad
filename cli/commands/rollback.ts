/** `modelship rollback <endpoint>`: return an endpoint to the version that was stable before the last promotion. */
import { CliError } from '../cliError';
import { CONTROL_FLAGS, controlOptions, type Command } from '../command';
import { endpointTarget } from '../deploymentTarget';
import { EXIT_CODES } from '../exitCodes';
import { parseCommandLine } from '../options';
import { connect } from './deploy';

const usage = 'modelship rollback <endpoint> [--reason "..."] [--by NAME] [--address host:port]';

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'return an endpoint to its previous stable version (verified by inference on every replica)',
  usage,
  async run(argv) {
    const { options, positionals } = parseCommandLine(
      argv,
      CONTROL_FLAGS,
      controlOptions,
      usage,
    );
    const endpoint = endpointTarget(positionals[0]);
    if (!endpoint || positionals.length > 1) throw new CliError('name one endpoint (to stop a rollout in progress, use `modelship abort`)', EXIT_CODES.error, usage);
    const client = await connect(options);
    try {
      console.log(await client.endpoint(endpoint).rollback({ by: options.by, reason: options.reason }));
      return EXIT_CODES.promoted;
    } finally {
      await client.close();
    }
  },
};
