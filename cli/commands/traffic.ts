/**
 * `modelship traffic <endpoint>`: a bounded load generator for demos and tests. Inputs are sampled
 * from the model's metadata (a new seed per request); it talks to loopback gateways only, and stops
 * at a request count or a duration, whichever comes first.
 */
import { z } from 'zod';
import { LoopbackOnlyError, startTraffic } from '../trafficGenerator';
import { CliError } from '../cliError';
import { defineCommand } from '../command';
import { EXIT_CODES } from '../exitCodes';

const usage = 'modelship traffic <endpoint> [--gateway http://127.0.0.1:8000] [--requests 1000] [--concurrency 4] [--duration 60] [--header name=value]';

export const trafficCommand = defineCommand({
  name: 'traffic',
  summary: 'send bounded synthetic inference traffic to a loopback gateway (demos and tests)',
  usage,
  flags: {
    gateway: { type: 'string' },
    requests: { type: 'string' },
    concurrency: { type: 'string' },
    duration: { type: 'string' },
    header: { type: 'string', multiple: true },
  },
  options: z.object({
    gateway: z.string().url().default('http://127.0.0.1:8000'),
    requests: z.coerce.number().int().min(1).max(1_000_000).default(1000),
    concurrency: z.coerce.number().int().min(1).max(256).default(4),
    duration: z.coerce.number().min(0.1).max(3600).default(60),
    header: z.array(z.string().regex(/^[A-Za-z0-9-]+=.*$/, 'use name=value')).default([]),
  }),
  async run(options, positionals) {
    const [endpoint] = positionals;
    if (!endpoint) throw new CliError('name an endpoint', EXIT_CODES.error, usage);
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
