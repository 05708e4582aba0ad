/**
 * `modelship traffic <endpoint>`: a bounded load generator for demos and tests. Inputs are the rows of
 * an `.npz` sample set (`--inputs`), or the endpoint's captured requests replayed from the store
 * (`--captured`, the most common shape, newest first), or drawn from a spec's input profile
 * (`--profile spec.yaml`), or from the model's metadata with default sizes (a new seed per request).
 * It talks to loopback gateways only (several `--gateway`s: each in turn; default `MODELSHIP_GATEWAY_URL`). It stops at `--requests`
 * or after `--duration`, whichever comes first: `--duration` alone runs for its whole duration,
 * paced at `--rate` (default {@link DEFAULT_RATE}/s); neither: {@link DEFAULT_REQUESTS} requests.
 */
import { z } from 'zod';
import type { TensorMap } from '../../runtime';
import { loadPipelineSpec } from '../../sdk/specFile';
import { describeCapturedInputs, loadCapturedInputs } from '../capturedInputs';
import { LoopbackOnlyError, startTraffic } from '../trafficGenerator';
import { CliError } from '../cliError';
import { defineCommand } from '../command';
import { describeCliError } from '../errorReport';
import { EXIT_CODES } from '../exitCodes';
import { readNpz } from '../npzFiles';
import { stringFlags, storeOption } from '../options';

/** Requests sent when neither `--requests` nor `--duration` is given. */
const DEFAULT_REQUESTS = 1000;
/** Requests per second when `--duration` alone is given. */
const DEFAULT_RATE = 100;
/** The longest run: one hour. */
const MAX_DURATION_S = 3600;

/** The gateways without `--gateway`: `MODELSHIP_GATEWAY_URL` (comma-separated), else the local one. */
function defaultGateways(): string[] {
  const urls = (process.env.MODELSHIP_GATEWAY_URL ?? '').split(',').map((url) => url.trim());
  return urls.some((url) => url !== '') ? urls.filter((url) => url !== '') : ['http://127.0.0.1:8000'];
}

const usage = `modelship traffic <endpoint> [--gateway http://127.0.0.1:8000 ...] [--requests N] [--duration S] [--rate R] [--concurrency 4]
                 [--header name=value] [--profile spec.yaml | --inputs samples.npz | --captured [--store URI]]
  --requests N   stop after N requests (neither --requests nor --duration: ${DEFAULT_REQUESTS})
  --duration S   stop after S seconds (at most ${MAX_DURATION_S}); alone, it runs the whole time at --rate
  --rate R       at most R requests per second, all gateways together (default with --duration alone: ${DEFAULT_RATE})
  --gateway URL  repeat it to spread the requests over several gateways, in turn (default MODELSHIP_GATEWAY_URL, comma-separated, else http://127.0.0.1:8000)`;

export const trafficCommand = defineCommand({
  name: 'traffic',
  summary: 'send bounded inference traffic (profile-shaped, rows of an .npz, or captured requests) to a loopback gateway (demos and tests)',
  usage,
  flags: {
    ...stringFlags('requests', 'concurrency', 'duration', 'rate', 'profile', 'inputs', 'store'),
    gateway: { type: 'string', multiple: true },
    header: { type: 'string', multiple: true },
    captured: { type: 'boolean' },
  },
  options: z.object({
    gateway: z.array(z.string().url('must be a URL such as http://127.0.0.1:8000')).max(64).default(defaultGateways()),
    requests: z.coerce.number().int().min(1).max(10_000_000).optional(),
    concurrency: z.coerce.number().int().min(1).max(256).default(4),
    duration: z.coerce.number().min(0.1).max(MAX_DURATION_S).optional(),
    rate: z.coerce.number().min(0.1).max(100_000).optional(),
    header: z.array(z.string().regex(/^[A-Za-z0-9-]+=.*$/, 'use name=value')).default([]),
    profile: z.string().min(1).optional(),
    inputs: z.string().min(1).optional(),
    captured: z.boolean().default(false),
    store: storeOption(),
  }),
  async run(options, positionals) {
    const [endpoint] = positionals;
    if (!endpoint) throw new CliError('name an endpoint', EXIT_CODES.error, usage);
    if ([options.profile, options.inputs, options.captured || undefined].filter(Boolean).length > 1) {
      throw new CliError('give one of --profile, --inputs and --captured', EXIT_CODES.error, usage);
    }
    const profile = options.profile ? (await loadPipelineSpec(options.profile)).model.profile : undefined;
    const samples = options.inputs ? await readSamples(options.inputs) : options.captured ? await capturedSamples(endpoint, options) : undefined;
    const headers = Object.fromEntries(options.header.map((h) => [h.slice(0, h.indexOf('=')), h.slice(h.indexOf('=') + 1)]));
    let traffic;
    try {
      traffic = startTraffic({
        gateway: options.gateway,
        endpoint,
        ...bounds(options),
        concurrency: options.concurrency,
        headers,
        profile,
        samples,
      });
    } catch (error) {
      if (error instanceof LoopbackOnlyError) throw new CliError(error.message, EXIT_CODES.error, usage);
      throw error;
    }
    const { issued, failures, seconds, served, perGateway } = await traffic.done.catch((error: unknown) => {
      throw new CliError(
        `no traffic sent to ${endpoint}: ${describeCliError(error).message}`,
        EXIT_CODES.error,
        `is a gateway serving ${endpoint} at ${options.gateway.join(', ')}? \`modelship dev\` starts one; \`modelship status ${endpoint}\` shows what it serves`,
      );
    });
    const spread = options.gateway.length > 1 ? `; per gateway: ${JSON.stringify(perGateway)}` : '';
    console.log(
      `${issued} request(s) in ${seconds.toFixed(1)} s (${(issued / seconds).toFixed(0)}/s), ${failures} failed; answers: ${JSON.stringify(served)}${spread}`,
    );
    return failures === 0 ? EXIT_CODES.promoted : EXIT_CODES.error;
  },
});

/** When the run stops, and how fast it goes: see the module header. */
function bounds(options: { requests?: number; duration?: number; rate?: number }): { requests?: number; durationMs: number; ratePerSecond?: number } {
  if (options.requests === undefined && options.duration !== undefined) {
    return { durationMs: options.duration * 1000, ratePerSecond: options.rate ?? DEFAULT_RATE };
  }
  return { requests: options.requests ?? DEFAULT_REQUESTS, durationMs: (options.duration ?? MAX_DURATION_S) * 1000, ratePerSecond: options.rate };
}

/** The endpoint's captured requests (up to one row per request sent) as a sample set. */
async function capturedSamples(endpoint: string, options: { store: string; requests?: number }): Promise<TensorMap> {
  const set = await loadCapturedInputs(endpoint, { store: options.store, maxRows: options.requests ?? DEFAULT_REQUESTS }, usage);
  console.log(`replaying ${describeCapturedInputs(set)}`);
  return set.samples;
}

/** An `.npz` sample set as tensors. */
async function readSamples(file: string): Promise<TensorMap> {
  try {
    return await readNpz(file);
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, EXIT_CODES.error, usage);
  }
}
