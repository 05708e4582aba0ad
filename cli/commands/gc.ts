/**
 * `modelship gc [--dry-run] [--grace 24h] [--store URI]`: deletes the store's content-addressed
 * artifacts (sources, models, tensor bundles) that no routing document, gateway replica or promoted
 * deployment references, once they are older than the grace period (`store/garbageCollection.ts`).
 * Run it on a schedule (cron, a Kubernetes CronJob) next to the workers; `--dry-run` lists and keeps.
 */
import { z } from 'zod';
import { duration } from '../../sdk/schemas';
import { collectGarbage, DEFAULT_GC_GRACE_MS, openStore } from '../../store';
import { CliError } from '../cliError';
import { defineCommand } from '../command';
import { EXIT_CODES } from '../exitCodes';
import { stringFlags, storeOption } from '../options';

const usage = 'modelship gc [--dry-run] [--grace 24h] [--store URI] [--json]';

export const gcCommand = defineCommand({
  name: 'gc',
  summary: 'delete stored sources, models and tensors that nothing references, after a grace period (--dry-run to list them)',
  usage,
  flags: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, ...stringFlags('grace', 'store') },
  options: z.object({
    'dry-run': z.boolean().default(false),
    json: z.boolean().default(false),
    grace: duration.default(DEFAULT_GC_GRACE_MS),
    store: storeOption(),
  }),
  async run(options, positionals) {
    if (positionals.length > 0) throw new CliError(`unexpected argument ${positionals[0]}`, EXIT_CODES.error, usage);
    const store = openStore(options.store);
    const report = await collectGarbage(store, { graceMs: options.grace, dryRun: options['dry-run'] });
    if (options.json) {
      console.log(JSON.stringify(report, null, 2));
      return EXIT_CODES.promoted;
    }
    const verb = report.dryRun ? 'would delete' : 'deleted';
    for (const object of report.deleted) console.log(`${verb} ${object.key} (${object.sizeBytes} bytes)`);
    console.log(
      `${store.uri}: ${verb} ${report.deleted.length} unreferenced artifact(s), ${report.freedBytes} bytes; ` +
        `kept ${report.referenced} referenced and ${report.recent} younger than the grace period (${options.grace} ms); ` +
        `${verb} ${report.routingChangesDeleted} routing change log entr(ies) older than an hour`,
    );
    return EXIT_CODES.promoted;
  },
});
