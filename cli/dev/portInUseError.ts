import { ModelshipError } from '../../sdk/errors';

/** A port the local environment was asked to listen on is taken: which, and the option that chose it. */
export class PortInUseError extends ModelshipError {
  override readonly name = 'PortInUseError';
  constructor(
    readonly port: number,
    /** The option that chose the port, as the caller spelled it (`gatewayPort`; the CLI maps it to its flag). */
    readonly option: string,
    what = 'something else',
  ) {
    super(`port ${port} (${option}) is already in use by ${what}: stop what listens there, or choose another ${option}`);
  }
}
