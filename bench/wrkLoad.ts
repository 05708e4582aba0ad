/**
 * REST load with Debian's `wrk`: HTTP/1.1 keep-alive, one thread, `concurrency` connections, each
 * request posting one body file. A Lua `done` hook prints the summary as one JSON line; any socket
 * error or status >= 400 fails the point.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { LoadPointError, loadgenBinary, loadgenEnv, type LoadPoint } from './loadPoint';

const run = promisify(execFile);

const SCRIPT = `
local f = assert(io.open(os.getenv("WRK_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_RESULT {"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
`;

/** Not one request answered within the point's duration (a stalled server, not a failing one). */
export class NoRequestsCompleted extends LoadPointError {}

export interface WrkTarget {
  url: string;
  /** A file holding the request body. */
  bodyFile: string;
  headers: Record<string, string>;
}

/** Writes the Lua script wrk loads into `dir` (once per run). */
export async function prepareWrk(dir: string): Promise<string> {
  const script = path.join(dir, 'post.lua');
  await writeFile(script, SCRIPT);
  return script;
}

export async function wrkPoint(script: string, target: WrkTarget, concurrency: number, seconds: number): Promise<LoadPoint> {
  const headers = Object.entries(target.headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const args = ['-t1', `-c${concurrency}`, `-d${seconds}s`, '--timeout', '10s', '-s', script, ...headers, target.url];
  const { stdout } = await run(loadgenBinary('wrk'), args, { env: { ...loadgenEnv(), WRK_BODY: target.bodyFile }, timeout: (seconds + 30) * 1000 });
  const line = stdout.split('\n').find((l) => l.startsWith('WRK_RESULT '));
  if (!line) throw new LoadPointError(`wrk printed no result for ${target.url}:\n${stdout}`);
  const r = JSON.parse(line.slice('WRK_RESULT '.length)) as Record<string, number>;
  const failed = { connect: r.connect, read: r.read, write: r.write, 'status>=400': r.status, timeout: r.timeout };
  const errors = Object.entries(failed).filter(([, n]) => (n ?? 0) > 0);
  if (errors.length === 0 && !r.requests) throw new NoRequestsCompleted(`wrk ${target.url} c=${concurrency}: no request completed in ${seconds} s`);
  if (errors.length > 0) {
    throw new LoadPointError(`wrk ${target.url} c=${concurrency}: ${r.requests} requests, errors ${errors.map(([k, n]) => `${k}=${n}`).join(' ') || 'none'}`);
  }
  return {
    requests: r.requests as number,
    requestsPerSecond: (r.requests as number) / ((r.durationUs as number) / 1e6),
    p50Ms: (r.p50Us as number) / 1000,
    p99Ms: (r.p99Us as number) / 1000,
    maxMs: (r.maxUs as number) / 1000,
  };
}
