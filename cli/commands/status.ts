/**
 * `modelship status <endpoint> | <endpoint>/<version>`: what an endpoint serves and rolls out, or
 * where a deployment is (or how it ended). It never waits on a worker: without one it shows what
 * the server recorded, and says so.
 */
import { registeredReplicas } from '../../activities/rollout/replicas';
import type { DeploymentSnapshot, ModelshipClient } from '../../sdk/client';
import { routingDocument, type RoutingDocument } from '../../sdk/schemas';
import { readDocument, storeKeys } from '../../store';
import { CliError } from '../cliError';
import { JSON_OPTIONS } from '../command';
import { storeOption } from '../options';
import { connectedCommand } from '../connection';
import { deploymentTarget, endpointTarget } from '../deploymentTarget';
import { describeDeployment } from '../deploymentView';
import { describeEndpoint, staleNote } from '../endpointView';
import { EXIT_CODES } from '../exitCodes';
import { describeReplicas, versionPlacement, type RegisteredReplicas } from '../replicasView';

const usage = 'modelship status <endpoint> | <endpoint>/<version> | deploy/<endpoint>/<version> [--store URI] [--json] [--address host:port]';

export const statusCommand = connectedCommand({
  name: 'status',
  summary: 'an endpoint (stable, previous, rollout in progress, queue) or a deployment (stages, steps, verdicts)',
  usage,
  // --store: where the gateway replicas' heartbeats are (an endpoint's status lists them).
  flags: { store: { type: 'string' }, ...JSON_OPTIONS.flags },
  options: JSON_OPTIONS.options.extend({ store: storeOption() }),
  target(positionals): { workflowId: string } | { endpoint: string } {
    const workflowId = deploymentTarget(positionals[0]);
    const endpoint = endpointTarget(positionals[0]);
    if (positionals.length > 1) throw new CliError(`unexpected argument "${positionals[1]}"`, EXIT_CODES.error, usage);
    if (workflowId) return { workflowId };
    if (endpoint) return { endpoint };
    throw new CliError('name an endpoint, or a deployment as <endpoint>/<version>', EXIT_CODES.error, usage);
  },
  async run(client, target, options) {
    if ('endpoint' in target) {
      const snapshot = await client.endpoint(target.endpoint).snapshot();
      const replicas = await readReplicas(client);
      const routing = await readDocument(client.store, storeKeys.routing(target.endpoint), routingDocument).catch(() => undefined);
      // --json: the state as before, with `live` (and, when not live, why and as of when), the store's replicas and where each version runs.
      const { state, ...freshness } = snapshot;
      if (options.json) console.log(JSON.stringify({ ...state, ...freshness, replicas, ...placementJson(target.endpoint, routing, replicas) }, null, 2));
      else {
        const replicaLines =
          'error' in replicas ? [`  replicas   not read from the store: ${replicas.error}`] : describeReplicas(target.endpoint, replicas, routing);
        console.log([describeEndpoint(snapshot.state), ...replicaLines, ...staleNote(snapshot)].join('\n'));
      }
    } else {
      await printDeployment(client, target.workflowId, options.json);
    }
    return EXIT_CODES.success;
  },
});

/** The gateway replicas registered in the store (live, and stale within the TTL), or why they could not be read. */
async function readReplicas(client: ModelshipClient): Promise<RegisteredReplicas | { error: string }> {
  try {
    return await registeredReplicas(client.store);
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** `placement`: where each version of the current routing runs (when the routing and the replicas were read). */
function placementJson(endpoint: string, routing: RoutingDocument | undefined, replicas: RegisteredReplicas | { error: string }) {
  return routing && !('error' in replicas) ? { placement: versionPlacement(endpoint, routing, replicas.live) } : {};
}

async function printDeployment(client: ModelshipClient, workflowId: string, json: boolean): Promise<void> {
  const snapshot: DeploymentSnapshot = await client.deployment(workflowId).snapshot();
  if (json) {
    console.log(JSON.stringify(snapshot.live ? snapshot.status : snapshot, null, 2));
    return;
  }
  if (!snapshot.live) {
    const weight = snapshot.canaryWeight !== undefined ? ` at ${snapshot.canaryWeight}%` : '';
    console.log(`${workflowId}: ${snapshot.phase ?? 'unknown phase'}${weight} (workflow ${snapshot.execution.toLowerCase()})`);
    console.log(`  ${snapshot.reason}: showing the phase the server last recorded; stages and steps need a worker (\`modelship dev\` or \`modelship worker\`)`);
    return;
  }
  console.log(describeDeployment(snapshot.status));
}
