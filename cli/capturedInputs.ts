/**
 * The captured inputs of an endpoint as one sample set, for the commands that export or replay them
 * (`capture`, `traffic --captured`): read from the store newest first, bounded, the most common shape.
 */
import { capturedSampleSet, type CapturedSampleSet } from '../runtime/capturedSamples';
import { readCaptured } from '../runtime/capturedTraffic';
import { endpointName } from '../sdk/schemas';
import { openStore } from '../store';
import { CliError } from './cliError';
import { EXIT_CODES } from './exitCodes';

export interface CapturedInputsOptions {
  store: string;
  version?: string;
  maxRows: number;
}

/** The sample set; a {@link CliError} saying how to capture some when the store holds none. */
export async function loadCapturedInputs(endpoint: string, options: CapturedInputsOptions, usage: string): Promise<CapturedSampleSet> {
  if (!endpointName.safeParse(endpoint).success) throw new CliError(`"${endpoint}" is not an endpoint name`, EXIT_CODES.error, usage);
  const { requests } = await readCaptured(openStore(options.store), endpoint, { version: options.version, maxRows: options.maxRows });
  const set = capturedSampleSet(requests);
  if (!set) {
    const of = options.version ? `${endpoint}/${options.version}` : endpoint;
    throw new CliError(
      `no captured requests of ${of} in ${options.store}`,
      EXIT_CODES.error,
      `gateways capture a share of what they serve when started with --capture-rate (or MODELSHIP_CAPTURE_RATE; modelship dev captures 0.1)\n${usage}`,
    );
  }
  return set;
}

/** One line: how many samples, of how many requests, from which versions, and what was left out. */
export function describeCapturedInputs(set: CapturedSampleSet): string {
  const unit = set.layout === 'rows' ? 'row(s)' : 'request(s), stacked along a new first axis';
  const leftOut = set.leftOut.map((l) => `${l.requests} request(s) of shape ${l.shapes}`);
  return [
    `${set.count} ${unit} from ${set.requests} captured request(s) of version(s) ${set.versions.join(', ')}`,
    ...(leftOut.length > 0 ? [`left out (another shape): ${leftOut.join('; ')}`] : []),
  ].join('\n');
}
