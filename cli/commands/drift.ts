/**
 * `modelship drift <endpoint>`: the endpoint's recent drift checks from the store, as a table (or
 * `--json`). `--enable` creates or updates its drift schedule (`drift/<endpoint>`, every `--every`,
 * the spec's `monitoring.drift` defaults otherwise), `--check` starts a check now, `--disable`
 * deletes the schedule; those talk to Temporal, the table needs only the store.
 */
import { ScheduleNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { deleteDriftSchedule, driftScheduleHandle, ensureDriftSchedule } from '../../sdk/client/driftSchedule';
import { driftMonitoring, endpointName } from '../../sdk/schemas';
import { openStore, recentDriftChecks } from '../../store';
import { CliError } from '../cliError';
import { defineCommand, JSON_OPTIONS } from '../command';
import { connect } from '../connection';
import { driftTable } from '../driftView';
import { EXIT_CODES } from '../exitCodes';
import { stringFlags, storeOption } from '../options';

const usage =
  'modelship drift <endpoint> [--json] [--limit 20] [--store URI] | --enable [--every 1h] [--window 1h] [--on-alert alert|rollback] | --check | --disable [--address host:port]';

export const driftCommand = defineCommand({
  name: 'drift',
  summary: "an endpoint's drift checks (inputs and predictions against a baseline); --enable/--disable its schedule, --check now",
  usage,
  flags: {
    ...JSON_OPTIONS.flags,
    enable: { type: 'boolean' },
    disable: { type: 'boolean' },
    check: { type: 'boolean' },
    ...stringFlags('every', 'window', 'on-alert', 'limit', 'store'),
  },
  options: JSON_OPTIONS.options.extend({
    enable: z.boolean().default(false),
    disable: z.boolean().default(false),
    check: z.boolean().default(false),
    every: z.string().optional(),
    window: z.string().optional(),
    'on-alert': z.enum(['alert', 'rollback']).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(20),
    store: storeOption(),
  }),
  async run(options, positionals) {
    const [name, ...rest] = positionals;
    if (!name || rest.length > 0) throw new CliError('name one endpoint', EXIT_CODES.error, usage);
    const endpoint = endpointName.parse(name);
    if (options.enable || options.disable || options.check) {
      const drift = driftMonitoring.parse({ every: options.every, window: options.window, onAlert: options['on-alert'] });
      const client = await connect(options);
      try {
        if (options.disable) {
          const deleted = await deleteDriftSchedule(client.temporal, endpoint);
          console.log(deleted ? `drift schedule drift/${endpoint} deleted` : `endpoint ${endpoint} has no drift schedule`);
          return EXIT_CODES.promoted;
        }
        if (options.enable)
          console.log(`drift schedule drift/${endpoint} ${await ensureDriftSchedule(client.temporal, { endpoint, drift })}: every ${drift.every} ms`);
        if (options.check) {
          await driftScheduleHandle(client.temporal, endpoint)
            .trigger()
            .catch((error: unknown) => {
              if (error instanceof ScheduleNotFoundError)
                throw new CliError(`endpoint ${endpoint} has no drift schedule`, EXIT_CODES.error, `modelship drift ${endpoint} --enable`);
              throw error;
            });
          console.log(`drift check of ${endpoint} started (its result: modelship drift ${endpoint})`);
        }
      } finally {
        await client.close();
      }
      return EXIT_CODES.promoted;
    }
    const checks = await recentDriftChecks(openStore(options.store), endpoint, options.limit);
    console.log(options.json ? JSON.stringify(checks, null, 2) : driftTable(endpoint, checks));
    return EXIT_CODES.promoted;
  },
});
