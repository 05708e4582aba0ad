/** `modelship history <endpoint>`: what was deployed to an endpoint, and how each ended (without a worker: the recent history the endpoint recorded). */
import { JSON_OPTIONS } from '../command';
import { connectedCommand } from '../connection';
import { oneEndpoint } from '../deploymentTarget';
import { describeEvent, staleNote } from '../endpointView';
import { EXIT_CODES } from '../exitCodes';

const usage = 'modelship history <endpoint> [--json] [--address host:port]';

export const historyCommand = connectedCommand({
  name: 'history',
  summary: "an endpoint's rollouts and rollbacks, oldest first",
  usage,
  ...JSON_OPTIONS,
  target: (positionals) => oneEndpoint(positionals, usage),
  async run(client, endpoint, options) {
    const snapshot = await client.endpoint(endpoint).snapshot();
    const history = snapshot.state.history;
    if (options.json) console.log(JSON.stringify(history, null, 2));
    else if (history.length === 0) console.log(`endpoint ${endpoint}: no rollouts yet`);
    else for (const event of history) console.log(describeEvent(event));
    // Recorded, not live: the memo keeps the recent history only, and may be behind.
    for (const line of staleNote(snapshot)) (options.json ? console.error : console.log)(line.trim());
    return EXIT_CODES.promoted;
  },
});
