/** `modelship versions <endpoint>`: every version that served an endpoint, with its digest, pass, source, when it served, verdicts, aliases and report. */
import { JSON_OPTIONS } from '../command';
import { connectedCommand } from '../connection';
import { oneEndpoint } from '../deploymentTarget';
import { EXIT_CODES } from '../exitCodes';
import { versionsTable } from '../versionsView';

const usage = 'modelship versions <endpoint> [--json] [--address host:port]';

export const versionsCommand = connectedCommand({
  name: 'versions',
  summary: "an endpoint's versions (digest, pass, source, when served, verdict, aliases, report): what `rollback --to` and `version:` sources name",
  usage,
  ...JSON_OPTIONS,
  target: (positionals) => oneEndpoint(positionals, usage),
  async run(client, endpoint, options) {
    const versions = await client.endpoint(endpoint).versions();
    console.log(options.json ? JSON.stringify(versions, null, 2) : versionsTable(endpoint, versions));
    return EXIT_CODES.promoted;
  },
});
