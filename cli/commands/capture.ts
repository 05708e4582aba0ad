/**
 * `modelship capture <endpoint> --out file.npz`: exports the inputs a gateway captured for an
 * endpoint (newest first, bounded) as an `.npz` sample set, one array per input. Requests of one
 * shape make one set: the most common shape is exported and the others are named as left out.
 * Same-batch requests are concatenated along the first axis (rows); otherwise (scalars, state
 * inputs) each request is one entry along a new first axis. `traffic --inputs` reads either form.
 */
import { z } from 'zod';
import { versionName } from '../../sdk/schemas';
import { describeCapturedInputs, loadCapturedInputs } from '../capturedInputs';
import { CliError } from '../cliError';
import { defineCommand } from '../command';
import { EXIT_CODES } from '../exitCodes';
import { writeNpz } from '../npzFiles';
import { stringFlags, storeOption } from '../options';

const usage = 'modelship capture <endpoint> --out file.npz [--version v] [--max-rows 1000] [--store URI]';

export const captureCommand = defineCommand({
  name: 'capture',
  summary: "export an endpoint's captured request inputs (sampled by the gateways) as an .npz sample set",
  usage,
  flags: {
    ...stringFlags('out', 'version', 'max-rows', 'store'),
  },
  options: z.object({
    out: z.string().min(1),
    version: versionName.optional(),
    'max-rows': z.coerce.number().int().min(1).max(10_000_000).default(1000),
    store: storeOption(),
  }),
  async run(options, positionals) {
    const [endpoint] = positionals;
    if (!endpoint) throw new CliError('name an endpoint', EXIT_CODES.error, usage);
    const set = await loadCapturedInputs(endpoint, { store: options.store, version: options.version, maxRows: options['max-rows'] }, usage);
    await writeNpz(options.out, set.samples);
    console.log(`exported ${describeCapturedInputs(set)}\nto ${options.out}`);
    return EXIT_CODES.promoted;
  },
});
