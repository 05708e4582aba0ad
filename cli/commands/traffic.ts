/**
 * `modelship traffic <endpoint>`: a bounded load generator for demos and tests. Inputs are the rows of
 * an `.npz` sample set (`--inputs`), or drawn from a spec's input profile (`--profile spec.yaml`), or
 * from the model's metadata with default sizes (a new seed per request); it talks to loopback gateways
 * only, and stops at a request count or a duration, whichever comes first.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { runPythonTool } from '../../activities/python/pythonTool';
import { decodeBundle, tensorBundle } from '../../runtime/tensorBundle';
import type { TensorMap } from '../../runtime';
import { loadPipelineSpec } from '../../sdk/specFile';
import { LoopbackOnlyError, startTraffic } from '../trafficGenerator';
import { CliError } from '../cliError';
import { defineCommand } from '../command';
import { EXIT_CODES } from '../exitCodes';

const usage =
  'modelship traffic <endpoint> [--gateway http://127.0.0.1:8000] [--requests 1000] [--concurrency 4] [--duration 60] [--header name=value] [--profile spec.yaml | --inputs samples.npz]';

export const trafficCommand = defineCommand({
  name: 'traffic',
  summary: 'send bounded inference traffic (profile-shaped, or rows of an .npz) to a loopback gateway (demos and tests)',
  usage,
  flags: {
    gateway: { type: 'string' },
    requests: { type: 'string' },
    concurrency: { type: 'string' },
    duration: { type: 'string' },
    header: { type: 'string', multiple: true },
    profile: { type: 'string' },
    inputs: { type: 'string' },
  },
  options: z.object({
    gateway: z.string().url().default('http://127.0.0.1:8000'),
    requests: z.coerce.number().int().min(1).max(1_000_000).default(1000),
    concurrency: z.coerce.number().int().min(1).max(256).default(4),
    duration: z.coerce.number().min(0.1).max(3600).default(60),
    header: z.array(z.string().regex(/^[A-Za-z0-9-]+=.*$/, 'use name=value')).default([]),
    profile: z.string().min(1).optional(),
    inputs: z.string().min(1).optional(),
  }),
  async run(options, positionals) {
    const [endpoint] = positionals;
    if (!endpoint) throw new CliError('name an endpoint', EXIT_CODES.error, usage);
    if (options.profile && options.inputs) throw new CliError('give --profile or --inputs, not both', EXIT_CODES.error, usage);
    const profile = options.profile ? (await loadPipelineSpec(options.profile)).model.profile : undefined;
    const samples = options.inputs ? await readSamples(options.inputs) : undefined;
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

/** An `.npz` sample set as tensors (read by the Python tool, which knows the format). */
async function readSamples(file: string): Promise<TensorMap> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modelship-traffic-'));
  try {
    const output = path.join(dir, 'samples.json');
    await runPythonTool('bundle', { path: path.resolve(file), output }, z.object({}).passthrough(), { timeoutMs: 60_000 });
    return decodeBundle(tensorBundle.parse(JSON.parse(await readFile(output, 'utf8'))));
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, EXIT_CODES.error, usage);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
