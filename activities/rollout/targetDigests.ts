/**
 * Whether each replica serves a version from the artifact its target should: a CPU replica the
 * routed version's `digest`, a GPU replica its gpu pick (else `digest`), as the replicas report in
 * their heartbeats what they loaded. Replicas from before the report (no `digests`) are not judged.
 */
import type { ReplicaStatus, RoutingDocument } from '../../sdk/schemas';
import { digestFor } from '../../sdk/targetPicks';

/** One line per replica that serves a version (or the shadow) of `routing` from another artifact than its target's pick; empty when all do. */
export function routingDigestMismatches(routing: RoutingDocument, replicas: readonly ReplicaStatus[]): string[] {
  const versions = [...routing.versions.map((v) => v.version), ...(routing.shadow ? [routing.shadow.version] : [])];
  return versions.flatMap((version) => targetDigestMismatches(routing, version, replicas));
}

/** One line per replica that serves `version` of `routing` from another artifact than its target's pick; empty when all do. */
export function targetDigestMismatches(routing: RoutingDocument, version: string, replicas: readonly ReplicaStatus[]): string[] {
  const routed = routing.versions.find((v) => v.version === version) ?? (routing.shadow?.version === version ? routing.shadow : undefined);
  if (!routed) return [];
  const problems: string[] = [];
  for (const replica of replicas) {
    const applied = replica.endpoints[routing.endpoint];
    const loaded = applied?.generation === routing.generation ? applied.digests?.[version] : undefined;
    const target = replica.target ?? 'cpu';
    const wanted = digestFor(routed, target);
    if (loaded !== undefined && loaded !== wanted)
      problems.push(`${replica.replicaId} (${target}) serves ${version} from ${loaded}, not its ${target} pick ${wanted}`);
  }
  return problems;
}
