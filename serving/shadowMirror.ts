/**
 * Shadow traffic: the shadow version runs on the same inputs as the served one after the response
 * is sent, and its outputs are compared with what was served (stats window and metrics). It never
 * affects the response; a shadow shed for overload (429) is not compared.
 */
import type { TensorMap, TimedOutputs } from '../runtime';
import { HttpError } from '../protocol/httpError';
import type { GatewayContext } from './gatewayContext';
import type { LoadedVersion } from './modelRegistry';
import { compareOutputs, predictionOf } from './outputComparison';

/** What the served version was given and answered. */
export interface ServedRequest {
  feeds: TensorMap;
  outputNames: string[] | undefined;
  served: TensorMap;
}

export function mirrorToShadow(context: Pick<GatewayContext, 'stats' | 'metrics'>, endpoint: string, shadow: LoadedVersion, request: ServedRequest): void {
  setImmediate(() => {
    const started = performance.now();
    shadow.runTimed(request.feeds, request.outputNames).then(
      (candidate) => recordComparison(context, endpoint, shadow.version, request.served, candidate, started),
      (error: unknown) => {
        if (error instanceof HttpError && error.status === 429) return; // shed, not compared
        recordFailure(context, endpoint, shadow.version, started);
      },
    );
  });
}

function recordComparison(
  { stats, metrics }: Pick<GatewayContext, 'stats' | 'metrics'>,
  endpoint: string,
  version: string,
  served: TensorMap,
  { outputs: candidate, runMs: computeMs }: TimedOutputs,
  started: number,
): void {
  const comparison = compareOutputs(served, candidate);
  const latencyMs = performance.now() - started;
  stats.recordShadow(endpoint, version, { t: Date.now(), ...comparison, failed: false, latencyMs, computeMs, prediction: predictionOf(candidate) });
  const result = comparison.agreedRows === comparison.rows ? 'agree' : 'disagree';
  metrics.inc(metrics.shadowComparisons, { endpoint, version, result });
  metrics.set(metrics.shadowMaxAbsDiff, { endpoint, version }, comparison.maxAbsDiff);
}

function recordFailure({ stats, metrics }: Pick<GatewayContext, 'stats' | 'metrics'>, endpoint: string, version: string, started: number): void {
  stats.recordShadow(endpoint, version, { t: Date.now(), rows: 0, agreedRows: 0, maxAbsDiff: 0, failed: true, latencyMs: performance.now() - started });
  metrics.inc(metrics.shadowComparisons, { endpoint, version, result: 'error' });
}
