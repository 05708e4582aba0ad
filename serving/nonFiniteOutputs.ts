/**
 * An answer with NaN or ±Inf in a float output is the version's error, not an answer: the infer
 * route refuses it with a 500 that names the outputs (the gateway keeps serving), and counts it as
 * an error of that endpoint and version in the metrics and the stats window.
 *
 * @example
 * refuseNonFinite('iris', 'v2', outputs); // throws NonFiniteOutputError when an output holds NaN/Inf
 */
import { HttpError } from '../protocol/httpError';
import type { TensorMap } from '../runtime';
import { countNonFinite } from '../runtime/nonFiniteValues';

/** One output of an answer holding non-finite values: how many of how many. */
export interface NonFiniteOutput {
  readonly name: string;
  readonly nonFinite: number;
  readonly values: number;
}

/** A 500: version `version` of `endpoint` answered with non-finite values in `outputs`. */
export class NonFiniteOutputError extends HttpError {
  constructor(
    endpoint: string,
    version: string,
    readonly outputs: readonly NonFiniteOutput[],
  ) {
    const named = outputs.map((o) => `'${o.name}' (${o.nonFinite} of ${o.values} values)`).join(', ');
    super(500, `model ${endpoint}/${version} produced non-finite values (NaN or Inf) in output${outputs.length > 1 ? 's' : ''} ${named}`, {
      'x-modelship-version': version,
    });
  }
}

/** The outputs holding NaN or ±Inf, in output order; empty when the answer is finite. */
export function nonFiniteOutputs(outputs: TensorMap): NonFiniteOutput[] {
  return Object.entries(outputs).flatMap(([name, t]) => {
    const nonFinite = countNonFinite(t);
    return nonFinite > 0 ? [{ name, nonFinite, values: t.data.length }] : [];
  });
}

/** Throws a {@link NonFiniteOutputError} when any of `outputs` of `endpoint`/`version` holds NaN or ±Inf. */
export function refuseNonFinite(endpoint: string, version: string, outputs: TensorMap): void {
  const bad = nonFiniteOutputs(outputs);
  if (bad.length > 0) throw new NonFiniteOutputError(endpoint, version, bad);
}
