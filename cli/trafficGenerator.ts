/**
 * A bounded traffic generator for loopback gateways: the rows of a sample set one per request, or
 * inputs drawn from the input profile (cycling its shapes; without one, default sizes for the
 * model's metadata) with a new seed per request; round-robin over one or more gateways, paced at a
 * rate if asked; stops at a request count, a duration, or `stop()`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { profileInputs, profileProblems, sampleRows, shapeCycleLength, type TensorMap } from '../runtime';
import { tensorSpec, type InputProfile, type TensorSpec } from '../sdk/schemas';
import { encodeOutputs } from '../protocol/kserveProtocol';
import { ModelshipError } from '../sdk/errors';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export interface TrafficOptions {
  /** A gateway's base URL, or several: requests go to each in turn. */
  gateway: string | readonly string[];
  endpoint: string;
  /** Stop after this many requests; default: no count, the duration alone. */
  requests?: number;
  concurrency: number;
  durationMs: number;
  /** Requests per second at most (all gateways together); default: as fast as `concurrency` allows. */
  ratePerSecond?: number;
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
  /** Requests sent to each gateway, by its URL as given. */
  perGateway: Record<string, number>;
}

export class LoopbackOnlyError extends ModelshipError {
  override readonly name = 'LoopbackOnlyError';
}

export function startTraffic(options: TrafficOptions): { done: Promise<TrafficResult>; stop(): Promise<TrafficResult> } {
  const gateways = (typeof options.gateway === 'string' ? [options.gateway] : [...options.gateway]).map((url) => ({ url, base: new URL(url) }));
  if (gateways.length === 0) throw new Error('name at least one gateway');
  for (const { base } of gateways)
    if (!LOOPBACK.has(base.hostname)) throw new LoopbackOnlyError(`traffic goes to loopback gateways only, not ${base.hostname}`);
  const stopping = new AbortController();
  const result: TrafficResult = { issued: 0, failures: 0, seconds: 0, served: {}, perGateway: Object.fromEntries(gateways.map((g) => [g.url, 0])) };
  const started = Date.now();
  const deadline = started + options.durationMs;
  const limit = options.requests ?? Infinity;
  const intervalMs = options.ratePerSecond ? 1000 / options.ratePerSecond : 0;
  let next = 0; // the next request's number: its slot in the pacing, its gateway, its inputs
  const path = `/v2/models/${encodeURIComponent(options.endpoint)}`;
  const run = async (): Promise<TrafficResult> => {
    const metadata = await fetch(new URL(path, (gateways[0] as (typeof gateways)[number]).base));
    if (!metadata.ok) throw new Error(`cannot read the metadata of ${options.endpoint}: HTTP ${metadata.status}`);
    const inputs = z.object({ inputs: z.array(tensorSpec) }).parse(await metadata.json()).inputs;
    const request = requestInputs(inputs, options);
    const going = (): boolean => !stopping.signal.aborted && next < limit && Date.now() < deadline;
    const worker = async (): Promise<void> => {
      while (going()) {
        const i = next++;
        const due = started + i * intervalMs;
        if (due > Date.now()) await sleep(Math.min(due, deadline) - Date.now(), undefined, { signal: stopping.signal }).catch(() => undefined);
        if (stopping.signal.aborted || Date.now() >= deadline) return;
        const gateway = gateways[i % gateways.length] as (typeof gateways)[number];
        result.issued++;
        result.perGateway[gateway.url] = (result.perGateway[gateway.url] ?? 0) + 1;
        const key = await send(new URL(`${path}/infer`, gateway.base), JSON.stringify({ inputs: encodeOutputs(request(i)) }), options.headers ?? {});
        if (key === undefined || key.startsWith('HTTP ')) result.failures++;
        if (key !== undefined) result.served[key] = (result.served[key] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
    result.seconds = (Date.now() - started) / 1000;
    return result;
  };
  const done = run();
  return {
    done,
    async stop() {
      stopping.abort();
      return done;
    },
  };
}

/** One inference request: the version that answered, `HTTP <status>` for an error, `undefined` when no gateway answered. */
async function send(url: URL, body: string, headers: Record<string, string>): Promise<string | undefined> {
  try {
    const response = await fetch(url, { method: 'POST', body, headers });
    await response.arrayBuffer();
    return response.ok ? (response.headers.get('x-modelship-version') ?? 'unknown') : `HTTP ${response.status}`;
  } catch {
    return undefined;
  }
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
