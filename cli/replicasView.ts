/** How `modelship status <endpoint>` prints the gateway replicas registered in the store: live ones and what they apply, stale ones and since when. */
import type { ReplicaStatus } from '../sdk/schemas';

export function describeReplicas(endpoint: string, replicas: { live: ReplicaStatus[]; stale: ReplicaStatus[] }): string[] {
  const applied = (r: ReplicaStatus) => {
    const state = r.endpoints[endpoint];
    if (!state) return 'not serving this endpoint';
    return `generation ${state.generation}${state.error ? `, generation ${state.error.generation} failed: ${state.error.message}` : ''}`;
  };
  const lines = [`  replicas   ${replicas.live.length} live, ${replicas.stale.length} stale`];
  for (const r of replicas.live) lines.push(`    live   ${r.replicaId}  ${r.url}  ${applied(r)}`);
  for (const r of replicas.stale) lines.push(`    stale  ${r.replicaId}  ${r.url}  no heartbeat since ${r.heartbeatAt}`);
  return lines;
}
