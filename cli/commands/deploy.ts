/** `modelship deploy <spec> [--wait]`: start a deployment, optionally follow it to its outcome. */
import { z } from 'zod';
import { ModelshipClient } from '../../sdk/client';
import type { DeploymentResult } from '../../sdk/schemas';
import { loadPipelineSpec } from '../../sdk/specFile';
import { CliError } from '../cliError';
import { CONNECTION_FLAGS, temporalUiUrl, type Command } from '../command';
import { EXIT_CODES } from '../exitCodes';
import { parseCommandLine } from '../options';
import { describeOutcome, progressView } from '../progress';

const usage = `modelship deploy <spec.yaml|spec.json|spec.ts> [--wait] [--version V] [--json]
                 [--address host:port] [--namespace N] [--profile P] [--ui-url URL]`;

const optionsSchema = z.object({
  wait: z.boolean().default(false),
  json: z.boolean().default(false),
  version: z.string().optional(),
  address: z.string().optional(),
  namespace: z.string().optional(),
  profile: z.string().optional(),
  'ui-url': z.string().url().optional(),
});

export const deployCommand: Command = {
  name: 'deploy',
  summary: 'deploy a model version to an endpoint (exit 0 promoted, 2 rolled back, 3 rejected, 1 error)',
  usage,
  async run(argv) {
    const { options, positionals } = parseCommandLine(
      argv,
      {
        wait: { type: 'boolean' },
        json: { type: 'boolean' },
        version: { type: 'string' },
        'ui-url': { type: 'string' },
        ...CONNECTION_FLAGS,
      },
      optionsSchema,
      usage,
    );
    const [file, ...extra] = positionals;
    if (!file || extra.length > 0) throw new CliError('give exactly one pipeline spec file', EXIT_CODES.error, usage);
    const spec = await loadPipelineSpec(file, { version: options.version });
    const client = await connect(options);
    try {
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
      const progress = progressView(human);
      let result: DeploymentResult;
      try {
        result = await deployment.follow((status) => progress.update(status));
      } finally {
        progress.stop();
      }
      log(describeOutcome(result));
      if (options.json) console.log(JSON.stringify(result, null, 2));
      return exitCodeFor(result);
    } finally {
      await client.close();
    }
  },
};

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

export async function connect(options: { address?: string; namespace?: string; profile?: string }): Promise<ModelshipClient> {
  try {
    return await ModelshipClient.connect(options);
  } catch (error) {
    throw new CliError(
      `cannot reach Temporal at ${options.address ?? process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233'}: ${(error as Error).message}`,
      EXIT_CODES.error,
      'start the local environment with `modelship dev`, or set TEMPORAL_ADDRESS / --address',
    );
  }
}
