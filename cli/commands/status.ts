/** `modelship status <deploy/endpoint/version>`: where a deployment is, or how it ended. */
import type { ModelshipClient } from '../../sdk/client';
import { CliError } from '../cliError';
import { JSON_OPTIONS } from '../command';
import { connectedCommand } from '../connection';
import { deploymentTarget, endpointTarget } from '../deploymentTarget';
import { describeEndpoint } from '../endpointView';
import { EXIT_CODES } from '../exitCodes';

const usage = 'modelship status <endpoint> | <endpoint>/<version> | deploy/<endpoint>/<version> [--json] [--address host:port]';

export const statusCommand = connectedCommand({
  name: 'status',
  summary: 'an endpoint (stable, previous, rollout in progress, queue) or a deployment (stages, steps, verdicts)',
  usage,
  ...JSON_OPTIONS,
  target(positionals): { workflowId: string } | { endpoint: string } {
    const workflowId = deploymentTarget(positionals[0]);
    const endpoint = endpointTarget(positionals[0]);
    if (workflowId) return { workflowId };
    if (endpoint) return { endpoint };
    throw new CliError('name an endpoint, or a deployment as <endpoint>/<version>', EXIT_CODES.error, usage);
  },
  async run(client, target, options) {
    if ('endpoint' in target) {
      const state = await client.endpoint(target.endpoint).status();
      console.log(options.json ? JSON.stringify(state, null, 2) : describeEndpoint(state));
    } else {
      await printDeployment(client, target.workflowId, options.json);
    }
    return EXIT_CODES.promoted;
  },
});

async function printDeployment(client: ModelshipClient, workflowId: string, json: boolean): Promise<void> {
  const status = await client.deployment(workflowId).status();
  if (json) {
    console.log(JSON.stringify(status, null, 2));
    return;
  }
  console.log(`${status.workflowId}: ${status.phase}`);
  for (const s of status.stages) console.log(`  ${s.name.padEnd(10)} ${s.status.padEnd(9)} ${s.summary ?? ''}`);
  if (status.failure) console.log(`  reason: ${status.failure.type}: ${status.failure.message}`);
}
