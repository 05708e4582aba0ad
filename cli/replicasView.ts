/**
 * How `modelship status <endpoint>` prints the gateway replicas registered in the store: where the
 * endpoint is placed and where each version runs, live replicas (with their labels, memory and target) and
 * what they apply, stale ones and since when.
 */
import type { ReplicaLabels, ReplicaStatus, RoutingDocument, RoutingPlacement } from '../sdk/schemas';
import { formatByteSize } from '../serving/memoryBudget';
import { formatLabels, isPlacedHere } from '../serving/placement';

export interface RegisteredReplicas {
  live: ReplicaStatus[];
  stale: ReplicaStatus[];
}

/**
 * Where an endpoint's versions run: the routing document's placement (`selector` and chosen
 * `replicas`; neither: every replica) and, for each version of the current routing, the live
 * replicas that applied it.
 */
export interface VersionPlacement extends Partial<RoutingPlacement> {
  versions: Record<string, { replicaId: string; labels: ReplicaLabels }[]>;
}

export function versionPlacement(endpoint: string, routing: RoutingDocument, live: readonly ReplicaStatus[]): VersionPlacement {
  const running = live.filter((r) => (r.endpoints[endpoint]?.generation ?? 0) === routing.generation);
  const served = [...routing.versions.map((v) => v.version), ...(routing.shadow ? [routing.shadow.version] : [])];
  const versions = Object.fromEntries(served.map((v) => [v, running.map((r) => ({ replicaId: r.replicaId, labels: r.labels ?? {} }))]));
  return { ...routing.placement, versions };
}

export function describeReplicas(endpoint: string, replicas: RegisteredReplicas, routing?: RoutingDocument): string[] {
  const applied = (r: ReplicaStatus) => {
    const state = r.endpoints[endpoint];
    if (!state) return routing && !isPlacedHere(routing, r) ? 'not placed here' : 'not serving this endpoint';
    return `generation ${state.generation}${state.error ? `, generation ${state.error.generation} failed: ${state.error.message}` : ''}`;
  };
  const labels = (r: ReplicaStatus) => (r.labels && Object.keys(r.labels).length > 0 ? `  labels ${formatLabels(r.labels)}` : '');
  const memory = (r: ReplicaStatus) =>
    r.memoryBudgetBytes !== undefined ? `  memory ${formatByteSize(r.memoryUsedBytes ?? 0)} of ${formatByteSize(r.memoryBudgetBytes)}` : '';
  const lines = routing ? describePlacement(versionPlacement(endpoint, routing, replicas.live)) : [];
  lines.push(`  replicas   ${replicas.live.length} live, ${replicas.stale.length} stale`);
  for (const r of replicas.live) lines.push(`    live   ${r.replicaId}  ${r.url}  ${applied(r)}${labels(r)}${memory(r)}  target ${r.target ?? 'cpu'}`);
  for (const r of replicas.stale) lines.push(`    stale  ${r.replicaId}  ${r.url}  no heartbeat since ${r.heartbeatAt}`);
  return lines;
}

function describePlacement(where: VersionPlacement): string[] {
  const pool = where.selector ? formatLabels(where.selector) || 'any replica' : 'every replica';
  const chosen = where.replicas ? `, on ${where.replicas.join(', ')}` : '';
  const lines = [`  placement  ${pool}${chosen}`];
  for (const [version, replicas] of Object.entries(where.versions)) {
    const on = replicas.map((r) => `${r.replicaId}${Object.keys(r.labels).length > 0 ? ` (${formatLabels(r.labels)})` : ''}`);
    lines.push(`    ${version} runs on ${on.length > 0 ? on.join(', ') : 'no live replica yet'}`);
  }
  return lines;
}
