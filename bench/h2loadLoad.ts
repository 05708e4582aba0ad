/**
 * gRPC load with Debian's `h2load`: `concurrency` HTTP/2 connections, one stream each, every request
 * posting one gRPC frame to ModelInfer. Latencies come from h2load's per-request log. A gRPC error
 * arrives as HTTP 200 with a trailers-only response (no DATA), so the point fails unless every
 * request succeeded with a 2xx and the responses carried at least `minResponseBytes` of data each.
 */
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { LoadPointError, loadgenBinary, loadgenEnv, type LoadPoint } from './loadPoint';

const run = promisify(execFile);

export interface H2loadTarget {
  url: string;
  bodyFile: string;
  /** The smallest DATA payload a successful response has (frame header and outputs). */
  minResponseBytes: number;
}

const count = (text: string, pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? NaN);

export async function h2loadPoint(target: H2loadTarget, concurrency: number, seconds: number, logFile: string): Promise<LoadPoint> {
  const args = ['-c', String(concurrency), '-m', '1', '-t', '1', '-D', String(seconds), '-d', target.bodyFile];
  const headers = ['content-type: application/grpc', 'te: trailers'].flatMap((h) => ['-H', h]);
  await rm(logFile, { force: true });
  const { stdout } = await run(loadgenBinary('h2load'), [...args, ...headers, '--log-file', logFile, target.url], {
    env: loadgenEnv(),
    timeout: (seconds + 30) * 1000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const done = count(stdout, /(\d+) done/);
  const succeeded = count(stdout, /(\d+) succeeded/);
  const ok2xx = count(stdout, /status codes: (\d+) 2xx/);
  const dataBytes = count(stdout, /\((\d+)\) data/);
  const finished = count(stdout, /finished in ([\d.]+)s/);
  // A stream still open when the window ends can get its status after `done` is counted: 2xx may be one or two more.
  if (!(done > 0) || succeeded !== done || ok2xx < done || !(dataBytes >= done * target.minResponseBytes)) {
    throw new LoadPointError(`h2load ${target.url} c=${concurrency}: ${done} done, ${succeeded} succeeded, ${ok2xx} 2xx, ${dataBytes} data bytes:\n${stdout}`);
  }
  const elapsedUs = (await readFile(logFile, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => Number(line.split('\t')[2]))
    .sort((a, b) => a - b);
  const at = (p: number): number => (elapsedUs[Math.min(elapsedUs.length - 1, Math.floor(p * elapsedUs.length))] ?? NaN) / 1000;
  return { requests: done, requestsPerSecond: done / finished, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1) };
}
