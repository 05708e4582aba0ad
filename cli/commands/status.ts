/** `modelship status <deploy/endpoint/version>`: where a deployment is, or how it ended. */
import { CliError } from '../cliError';
import { deploymentTarget, endpointTarget } from '../deploymentTarget';
import { describeEndpoint } from '../endpointView';
import { JSON_FLAGS, jsonOptions, type Command } from '../command';
import { EXIT_CODES } from '../exitCodes';
import { parseCommandLine } from '../options';
import { connect } from './deploy';

const usage = 'modelship status <endpoint> | <endpoint>/<version> | deploy/<endpoint>/<version> [--json] [--address host:port]';

export const statusCommand: Command = {
  name: 'status',
  summary: 'an endpoint (stable, previous, rollout in progress, queue) or a deployment (stages, steps, verdicts)',
  usage,
  async run(argv) {
    const { options, positionals } = parseCommandLine(
      argv,
      JSON_FLAGS,
      jsonOptions,
      usage,
    );
    const workflowId = deploymentTarget(positionals[0]);
    const endpoint = endpointTarget(positionals[0]);
    if (!workflowId && !endpoint) throw new CliError('name an endpoint, or a deployment as <endpoint>/<version>', EXIT_CODES.error, usage);
    const client = await connect(options);
    try {
      if (!workflowId) {
        const state = await client.endpoint(endpoint as string).status();
        console.log(options.json ? JSON.stringify(state, null, 2) : describeEndpoint(state));
        return EXIT_CODES.promoted;
      }
      const status = await client.deployment(workflowId).status();
      if (options.json) {
        console.log(JSON.stringify(status, null, 2));
      } else {
        console.log(`${status.workflowId}: ${status.phase}`);
        for (const s of status.stages) console.log(`  ${s.name.padEnd(10)} ${s.status.padEnd(9)} ${s.summary ?? ''}`);
        if (status.failure) console.log(`  reason: ${status.failure.type}: ${status.failure.message}`);
      }
      return EXIT_CODES.promoted;
    } finally {
      await client.close();
    }
  },
};
