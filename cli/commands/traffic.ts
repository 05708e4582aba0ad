/**
 * `modelship traffic <endpoint>`: a bounded load generator for demos and tests. Inputs are sampled
 * from the model's metadata (a new seed per request); it talks to loopback gateways only, and stops
 * at a request count or a duration, whichever comes first.
 */
import { z } from 'zod';
import { syntheticInputs } from '../../activities/runtime';
import { tensorSpec } from '../../sdk/schemas';
import { encodeOutputs } from '../../serving/kserveProtocol';
import { CliError } from '../cliError';
import type { Command } from '../command';
import { EXIT_CODES } from '../exitCodes';
import { parseCommandLine } from '../options';

const usage = 'modelship traffic <endpoint> [--gateway http://127.0.0.1:8000] [--requests 1000] [--concurrency 4] [--duration 60] [--header name=value]';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export const trafficCommand: Command = {
  name: 'traffic',
  summary: 'send bounded synthetic inference traffic to a loopback gateway (demos and tests)',
  usage,
  async run(argv) {
    const { options, positionals } = parseCommandLine(
      argv,
      { gateway: { type: 'string' }, requests: { type: 'string' }, concurrency: { type: 'string' }, duration: { type: 'string' }, header: { type: 'string', multiple: true } },
      z.object({
        gateway: z.string().url().default('http://127.0.0.1:8000'),
        requests: z.coerce.number().int().min(1).max(1_000_000).default(1000),
        concurrency: z.coerce.number().int().min(1).max(256).default(4),
        duration: z.coerce.number().min(0.1).max(3600).default(60),
        header: z.array(z.string().regex(/^[A-Za-z0-9-]+=.*$/, 'use name=value')).default([]),
      }),
      usage,
    );
    const [endpoint] = positionals;
    if (!endpoint) throw new CliError('name an endpoint', EXIT_CODES.error, usage);
    const base = new URL(options.gateway);
    if (!LOOPBACK.has(base.hostname)) throw new CliError(`traffic goes to loopback gateways only, not ${base.hostname}`, EXIT_CODES.error, usage);
    const headers = Object.fromEntries(options.header.map((h) => [h.slice(0, h.indexOf('=')), h.slice(h.indexOf('=') + 1)]));
    const metadata = await fetch(new URL(`/v2/models/${encodeURIComponent(endpoint)}`, base));
    if (!metadata.ok) throw new CliError(`cannot read the metadata of ${endpoint}: HTTP ${metadata.status}`, EXIT_CODES.error);
    const inputs = z.object({ inputs: z.array(tensorSpec) }).parse(await metadata.json()).inputs;

    const served: Record<string, number> = {};
    let failures = 0;
    let issued = 0;
    const deadline = Date.now() + options.duration * 1000;
    const worker = async (): Promise<void> => {
      while (issued < options.requests && Date.now() < deadline) {
        const seed = issued++;
        const body = JSON.stringify({ inputs: encodeOutputs(syntheticInputs(inputs, 1, seed)) });
        try {
          const response = await fetch(new URL(`/v2/models/${encodeURIComponent(endpoint)}/infer`, base), { method: 'POST', body, headers });
          await response.arrayBuffer();
          const key = response.ok ? (response.headers.get('x-modelship-version') ?? 'unknown') : `HTTP ${response.status}`;
          if (!response.ok) failures++;
          served[key] = (served[key] ?? 0) + 1;
        } catch {
          failures++;
        }
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
    const seconds = (Date.now() - started) / 1000;
    console.log(`${issued} request(s) in ${seconds.toFixed(1)} s (${(issued / seconds).toFixed(0)}/s), ${failures} failed; answers: ${JSON.stringify(served)}`);
    return failures === 0 ? EXIT_CODES.promoted : EXIT_CODES.error;
  },
};
