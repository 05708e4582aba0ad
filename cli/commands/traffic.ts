/**
 * `modelship traffic <endpoint>`: a bounded load generator for demos and tests. Inputs are the rows of
 * an `.npz` sample set (`--inputs`), or the endpoint's captured requests replayed from the store
 * (`--captured`, the most common shape, newest first), or drawn from a spec's input profile
 * (`--profile spec.yaml`), or from the model's metadata with default sizes (a new seed per request);
 * it talks to loopback gateways only, and stops at a request count or a duration, whichever comes first.
 */
import { z } from 'zod';
import type { TensorMap } from '../../runtime';
import { loadPipelineSpec } from '../../sdk/specFile';
import { DEFAULT_STORE_URI } from '../../store';
import { describeCapturedInputs, loadCapturedInputs } from '../capturedInputs';
import { LoopbackOnlyError, startTraffic } from '../trafficGenerator';
import { CliError } from '../cliError';
import { defineCommand } from '../command';
import { EXIT_CODES } from '../exitCodes';
import { readNpz } from '../npzFiles';
import { stringFlags } from '../options';

const usage =
  'modelship traffic <endpoint> [--gateway http://127.0.0.1:8000] [--requests 1000] [--concurrency 4] [--duration 60] [--header name=value] [--profile spec.yaml | --inputs samples.npz | --captured [--store URI]]';

export const trafficCommand = defineCommand({
  name: 'traffic',
  summary: 'send bounded inference traffic (profile-shaped, rows of an .npz, or captured requests) to a loopback gateway (demos and tests)',
  usage,
  flags: {
    ...stringFlags('gateway', 'requests', 'concurrency', 'duration', 'profile', 'inputs', 'store'),
    header: { type: 'string', multiple: true },
    captured: { type: 'boolean' },
  },
  options: z.object({
    gateway: z.string().url().default('http://127.0.0.1:8000'),
    requests: z.coerce.number().int().min(1).max(1_000_000).default(1000),
    concurrency: z.coerce.number().int().min(1).max(256).default(4),
    duration: z.coerce.number().min(0.1).max(3600).default(60),
    header: z.array(z.string().regex(/^[A-Za-z0-9-]+=.*$/, 'use name=value')).default([]),
    profile: z.string().min(1).optional(),
    inputs: z.string().min(1).optional(),
    captured: z.boolean().default(false),
    store: z.string().default(process.env.MODELSHIP_STORE ?? DEFAULT_STORE_URI),
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
        requests: options.requests,
        concurrency: options.concurrency,
        durationMs: options.duration * 1000,
        headers,
        profile,
        samples,
      });
    } catch (error) {
      if (error instanceof LoopbackOnlyError) throw new CliError(error.message, EXIT_CODES.error, usage);
      throw error;
    }
    const { issued, failures, seconds, served } = await traffic.done;
    console.log(`${issued} request(s) in ${seconds.toFixed(1)} s (${(issued / seconds).toFixed(0)}/s), ${failures} failed; answers: ${JSON.stringify(served)}`);
    return failures === 0 ? EXIT_CODES.promoted : EXIT_CODES.error;
  },
});

/** The endpoint's captured requests (up to one row per request sent) as a sample set. */
async function capturedSamples(endpoint: string, options: { store: string; requests: number }): Promise<TensorMap> {
  const set = await loadCapturedInputs(endpoint, { store: options.store, maxRows: options.requests }, usage);
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
