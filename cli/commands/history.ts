/** `modelship history <endpoint>`: what was deployed to an endpoint, and how each ended. */
import { CliError } from '../cliError';
import { JSON_FLAGS, jsonOptions, type Command } from '../command';
import { endpointTarget } from '../deploymentTarget';
import { describeEvent } from '../endpointView';
import { EXIT_CODES } from '../exitCodes';
import { parseCommandLine } from '../options';
import { connect } from './deploy';

const usage = 'modelship history <endpoint> [--json] [--address host:port]';

export const historyCommand: Command = {
  name: 'history',
  summary: "an endpoint's rollouts and rollbacks, oldest first",
  usage,
  async run(argv) {
    const { options, positionals } = parseCommandLine(
      argv,
      JSON_FLAGS,
      jsonOptions,
      usage,
    );
    const endpoint = endpointTarget(positionals[0]);
    if (!endpoint || positionals.length > 1) throw new CliError('name one endpoint', EXIT_CODES.error, usage);
    const client = await connect(options);
    try {
      const history = await client.endpoint(endpoint).history();
      if (options.json) console.log(JSON.stringify(history, null, 2));
      else if (history.length === 0) console.log(`endpoint ${endpoint}: no rollouts yet`);
      else for (const event of history) console.log(describeEvent(event));
      return EXIT_CODES.promoted;
    } finally {
      await client.close();
    }
  },
};
