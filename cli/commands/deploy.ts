/**
 * `modelship deploy <spec> [--wait]`: upload the spec's local files to the store (`--store`, the
 * workers' store), start a deployment, optionally follow it to its outcome.
 */
import { z } from 'zod';
import { ModelshipClient, type DeploymentHandle } from '../../sdk/client';
import type { DeploymentResult } from '../../sdk/schemas';
import { loadPipelineSpec } from '../../sdk/specFile';
import { checkSpecSources } from '../../sdk/specSources';
import { CliError } from '../cliError';
import { JSON_OPTIONS } from '../command';
import { connectedCommand, temporalUiUrl } from '../connection';
import { EXIT_CODES } from '../exitCodes';
import { storeOption } from '../options';
import { describeOutcome, progressView } from '../progress';

const usage = `modelship deploy <spec.yaml|spec.json|spec.ts> [--wait] [--version V] [--json] [--store URI]
                 [--address host:port] [--namespace N] [--profile P] [--ui-url URL]
  --store URI   the workers' artifact store, where local model and data files are uploaded (default MODELSHIP_STORE, else .modelship/store)`;

export const deployCommand = connectedCommand({
  name: 'deploy',
  summary: 'deploy a model version to an endpoint (exit 0 promoted, 2 rolled back, 3 rejected, 1 error)',
  usage,
  flags: { wait: { type: 'boolean' }, version: { type: 'string' }, 'ui-url': { type: 'string' }, store: { type: 'string' }, ...JSON_OPTIONS.flags },
  options: JSON_OPTIONS.options.extend({
    wait: z.boolean().default(false),
    version: z.string().optional(),
    'ui-url': z.string().url().optional(),
    store: storeOption(),
  }),
  async target(positionals, options) {
    const [file, ...extra] = positionals;
    if (!file || extra.length > 0) throw new CliError('give exactly one pipeline spec file', EXIT_CODES.error, usage);
    const spec = await loadPipelineSpec(file, { version: options.version });
    // A missing or unreadable source is refused here (exit 1), not after the deployment started.
    await checkSpecSources(spec, file);
    return spec;
  },
  async run(client, spec, options) {
    const deployment = await client.deploy(spec);
    const ui = temporalUiUrl(client.address, options['ui-url']);
    // With --json, stdout carries one JSON document and nothing else; what people read goes to stderr.
    const human = options.json ? process.stderr : process.stdout;
    const log = (line: string): void => void human.write(`${line}\n`);
    log(`deploying ${spec.model.name ?? spec.endpoint} ${spec.version} to ${spec.endpoint}`);
    log(`  workflow  ${deployment.workflowId}`);
    if (ui) log(`  ui        ${ModelshipClient.workflowUiUrl(ui, client.namespace, deployment.workflowId)}`);
    if (!options.wait) {
      if (options.json) console.log(JSON.stringify({ workflowId: deployment.workflowId }));
      return EXIT_CODES.promoted;
    }
    const result = await followWithProgress(deployment, human);
    log(describeOutcome(result));
    if (options.json) console.log(JSON.stringify(result, null, 2));
    return exitCodeFor(result);
  },
});

/** Follows the deployment to its outcome, drawing its progress on `out`. */
async function followWithProgress(deployment: DeploymentHandle, out: NodeJS.WriteStream): Promise<DeploymentResult> {
  const progress = progressView(out);
  try {
    return await deployment.follow((status) => progress.update(status));
  } finally {
    progress.stop();
  }
}

export function exitCodeFor(result: DeploymentResult): number {
  switch (result.outcome) {
    case 'promoted':
      return EXIT_CODES.promoted;
    case 'rejected':
      return EXIT_CODES.rejected;
    case 'rolledBack':
      return EXIT_CODES.rolledBack;
    case 'failed':
      return EXIT_CODES.error;
  }
}
