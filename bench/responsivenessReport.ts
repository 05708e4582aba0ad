/** Prints the responsiveness section of `npm run bench:gateway` against the goals. */
import type { ResponsivenessResult } from './responsiveness';

const verdict = (pass: boolean): string => (pass ? 'PASS' : 'FAIL');

export function formatResponsiveness(result: ResponsivenessResult | { failed: string }): string {
  if ('failed' in result) return `responsiveness: FAILED ${result.failed}`;
  const { health, plainIdle, plainDuringSlow: during } = result;
  const duringP99 = `${during.lowerBound ? '≥ ' : ''}${during.p99Ms.toFixed(2)} ms${during.lowerBound ? ' (no request answered in the window)' : ''}`;
  return [
    `responsiveness: one slow inference (n=${result.slowN}, ${(result.slowRequestMs / 1000).toFixed(1)} s) on endpoint "slow", the MLP on "plain", same gateway`,
    `  health /v2/health/live during it: ${health.probes} probes, max ${health.maxMs.toFixed(1)} ms, p99 ${health.p99Ms.toFixed(1)} ms   ${verdict(result.healthPass)} (goal < 50 ms)`,
    `  "plain" p99 (wrk, 1 connection): idle ${plainIdle.p99Ms.toFixed(2)} ms, during ${duringP99} (${during.requests} requests)   ${verdict(result.plainPass)} (goal ≤ 2× idle)`,
  ].join('\n');
}
