/**
 * One measured point of `npm run bench:gateway`: what a native load generator (wrk or h2load)
 * reports, reduced to requests/s and latency percentiles. A point with failed requests is an error,
 * never a number in the table.
 */
import path from 'node:path';
import { PACKAGE_ROOT } from '../cli/dev/projectPaths';

export interface LoadPoint {
  requestsPerSecond: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** The load generators' directory, unpacked by scripts/setupBench.sh, and the environment they run with. */
export const LOADGEN_ROOT = path.join(PACKAGE_ROOT, '.tools/loadgen');
export const loadgenBinary = (name: 'wrk' | 'h2load'): string => path.join(LOADGEN_ROOT, 'usr/bin', name);
export const loadgenEnv = (): NodeJS.ProcessEnv => ({ ...process.env, LD_LIBRARY_PATH: path.join(LOADGEN_ROOT, 'usr/lib/x86_64-linux-gnu') });

/** How long each point runs and warms up (seconds); BENCH_SECONDS / BENCH_WARMUP_SECONDS shorten a quick run. */
export const POINT_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
export const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);

export class LoadPointError extends Error {}
