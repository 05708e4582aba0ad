/**
 * The `replicas` analysis check: a verdict drawn from fewer replicas than the rollout requires
 * (one was killed or cut off during the bake) is inconclusive, and says which replicas are missing.
 */
import type { AnalysisCheck } from '../../sdk/schemas';

export interface ReplicaCount {
  /** Replicas whose statistics are in the window. */
  replicas: number;
  /** Registered replicas whose heartbeats have stopped. */
  stale: string[];
  /** Live replicas that did not answer. */
  unreachable: string[];
}

/** The check, or undefined when the rollout requires no replicas. */
export function replicaCheck(window: ReplicaCount, minReplicas: number): AnalysisCheck | undefined {
  if (minReplicas <= 0) return undefined;
  const missing = [
    ...(window.stale.length ? [`stale, no heartbeat: ${window.stale.join(', ')}`] : []),
    ...(window.unreachable.length ? [`unreachable: ${window.unreachable.join(', ')}`] : []),
  ];
  return {
    name: 'replicas',
    status: window.replicas >= minReplicas ? 'pass' : 'inconclusive',
    detail: `${window.replicas} replica(s) reported statistics, ${minReplicas} required${missing.length ? ` (${missing.join('; ')})` : ''}`,
    values: { replicas: window.replicas, minReplicas, stale: window.stale.length, unreachable: window.unreachable.length },
  };
}
