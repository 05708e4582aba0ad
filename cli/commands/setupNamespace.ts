/**
 * `modelship setup-namespace [--address host:port] [--namespace NS]`: adds Modelship's search
 * attributes to a Temporal namespace (what every worker also does before it polls), and says what
 * it added. Idempotent: on a namespace that has them it changes nothing. Where the connection may
 * not add them (Temporal Cloud, a restricted account) it names what is missing and the commands.
 */
import { ensureSearchAttributes, describeSetup } from '../../workers/namespaceSetup';
import { CliError } from '../cliError';
import { CONNECTION_OPTIONS } from '../command';
import { connectedCommand } from '../connection';
import { EXIT_CODES } from '../exitCodes';

const usage = 'modelship setup-namespace [--address host:port] [--namespace NS] [--profile P]';

export const setupNamespaceCommand = connectedCommand({
  name: 'setup-namespace',
  summary: "add Modelship's search attributes to a Temporal namespace (workers do it too; idempotent)",
  usage,
  ...CONNECTION_OPTIONS,
  target(positionals) {
    if (positionals.length > 0) throw new CliError(`unexpected argument "${positionals[0]}"`, EXIT_CODES.error, usage);
  },
  async run(client) {
    const setup = await ensureSearchAttributes(client.temporal.connection.operatorService, client.temporal.options.namespace);
    console.log(describeSetup(setup));
    return EXIT_CODES.success;
  },
});
