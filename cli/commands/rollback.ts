/**
 * `modelship rollback <endpoint> [--to <version|alias>]`: return an endpoint to the version that was
 * stable before the last promotion, or to any version it keeps (`modelship versions`). `--force`
 * skips the check that the target accepts what clients send (never the check that its artifact exists).
 * During a deployment's post-promotion watch it ends the watch: the deployment rolls back to the
 * version the watch kept loaded (`--to` another version is refused until the deployment has ended).
 */
import { z } from 'zod';
import { CONTROL_OPTIONS } from '../command';
import { connectedCommand } from '../connection';
import { oneEndpoint } from '../deploymentTarget';
import { EXIT_CODES } from '../exitCodes';

const usage = 'modelship rollback <endpoint> [--to <version|alias>] [--force] [--reason "..."] [--by NAME] [--address host:port]';

export const rollbackCommand = connectedCommand({
  name: 'rollback',
  summary:
    'return an endpoint to its previous stable version, or --to any version or alias it keeps (verified by inference on every replica); during a post-promotion watch it ends the watch, returning to the version the watch kept loaded',
  usage,
  flags: { to: { type: 'string' }, force: { type: 'boolean' }, ...CONTROL_OPTIONS.flags },
  options: CONTROL_OPTIONS.options.extend({ to: z.string().min(1).optional(), force: z.boolean().default(false) }),
  target: (positionals) => oneEndpoint(positionals, usage, ' (to stop a rollout in progress, use `modelship abort`)'),
  async run(client, endpoint, { to, force, by, reason }) {
    console.log(await client.endpoint(endpoint).rollback({ by, reason, ...(to ? { to } : {}), ...(force ? { force } : {}) }));
    return EXIT_CODES.promoted;
  },
});
