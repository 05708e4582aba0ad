/**
 * A bounded traffic generator for loopback gateways: the rows of a sample set one per request, or
 * inputs drawn from the input profile (cycling its shapes; without one, default sizes for the
 * model's metadata) with a new seed per request; stops at a request count, a duration, or `stop()`.
 */
import { z } from 'zod';
import { profileInputs, profileProblems, sampleRows, shapeCycleLength, type TensorMap } from '../runtime';
import { tensorSpec, type InputProfile, type TensorSpec } from '../sdk/schemas';
import { encodeOutputs } from '../protocol/kserveProtocol';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export interface TrafficOptions {
  gateway: string;
  endpoint: string;
  requests: number;
  concurrency: number;
  durationMs: number;
  headers?: Record<string, string>;
  /** Shapes and values of the inputs (`model.profile` of a spec). */
  profile?: InputProfile;
  /** A sample set (one tensor per input, first axis = samples): its rows are sent in turn, one per request. */
  samples?: TensorMap;
}

export interface TrafficResult {
  issued: number;
  failures: number;
  seconds: number;
  /** Answers per serving version (or `HTTP <status>` for failures). */
  served: Record<string, number>;
}

export class LoopbackOnlyError extends Error {
  override readonly name = 'LoopbackOnlyError';
}

export function startTraffic(options: TrafficOptions): { done: Promise<TrafficResult>; stop(): Promise<TrafficResult> } {
  const base = new URL(options.gateway);
  if (!LOOPBACK.has(base.hostname)) throw new LoopbackOnlyError(`traffic goes to loopback gateways only, not ${base.hostname}`);
  let stopped = false;
  const served: Record<string, number> = {};
  let failures = 0;
  let issued = 0;
  const started = Date.now();
  const deadline = started + options.durationMs;
  const run = async (): Promise<TrafficResult> => {
    const metadata = await fetch(new URL(`/v2/models/${encodeURIComponent(options.endpoint)}`, base));
    if (!metadata.ok) throw new Error(`cannot read the metadata of ${options.endpoint}: HTTP ${metadata.status}`);
    const inputs = z.object({ inputs: z.array(tensorSpec) }).parse(await metadata.json()).inputs;
    const request = requestInputs(inputs, options);
    const worker = async (): Promise<void> => {
      while (!stopped && issued < options.requests && Date.now() < deadline) {
        const body = JSON.stringify({ inputs: encodeOutputs(request(issued++)) });
        try {
          const response = await fetch(new URL(`/v2/models/${encodeURIComponent(options.endpoint)}/infer`, base), {
            method: 'POST',
            body,
            headers: options.headers ?? {},
          });
          await response.arrayBuffer();
          const key = response.ok ? (response.headers.get('x-modelship-version') ?? 'unknown') : `HTTP ${response.status}`;
          if (!response.ok) failures++;
          served[key] = (served[key] ?? 0) + 1;
        } catch {
          failures++;
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
    return { issued, failures, seconds: (Date.now() - started) / 1000, served };
  };
  const done = run();
  return {
    done,
    async stop() {
      stopped = true;
      return done;
    },
  };
}

/** The inputs of request `i`: the sample set's row `i` (in turn), or a draw from the profile with seed `i`. */
function requestInputs(inputs: TensorSpec[], options: Pick<TrafficOptions, 'profile' | 'samples'>): (i: number) => TensorMap {
  if (options.samples) {
    const rows = sampleRows(options.samples, inputs);
    return (i) => rows[i % rows.length] as TensorMap;
  }
  const problems = profileProblems(inputs, options.profile);
  if (problems.length > 0) throw new Error(`the input profile does not fit the model: ${problems.join('; ')}`);
  const cycle = shapeCycleLength(options.profile);
  return (i) => profileInputs(inputs, options.profile, { samples: cycle, seed: i })[i % cycle] as TensorMap;
}
