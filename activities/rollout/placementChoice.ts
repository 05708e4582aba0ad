/**
 * Where an endpoint runs, chosen by the control plane at each routing write: the live replicas whose
 * labels match the endpoint's `serving.pool`, and of those, when `serving.replicas` limits them, a
 * sticky choice: the replicas chosen before that are still live and in the pool stay, and only a
 * shortfall is filled (an excess dropped) by rendezvous (highest-random-weight) hashing of endpoint
 * and replica id. So a replica that joins never moves an endpoint already placed (which would unload
 * it under traffic, mid-rollout); rendezvous order spreads new placements evenly over a pool.
 */
import { createHash } from 'node:crypto';
import { routingDocument, type ReplicaStatus, type RoutingPlacement } from '../../sdk/schemas';
import { formatLabels, matchesSelector, parseLabels, placingServing, type PlacementTarget, type PlacementWish } from '../../serving/placement';
import { readDocument, storeKeys, type ArtifactStore } from '../../store';
import { rejection } from '../failures';
import { answers, liveReplicas } from './replicas';

/** A replica's rendezvous score for an endpoint: the first 48 bits of sha256(endpoint NUL replicaId). */
export function rendezvousScore(endpoint: string, replicaId: string): number {
  return createHash('sha256').update(`${endpoint}\0${replicaId}`).digest().readUIntBE(0, 6);
}

/** Replica ids in rendezvous order for `endpoint`: highest score first (ties, if any, by id). */
export function rendezvousOrder(endpoint: string, replicaIds: readonly string[]): string[] {
  const scored = replicaIds.map((id) => ({ id, score: rendezvousScore(endpoint, id) }));
  return scored.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id)).map((s) => s.id);
}

/**
 * The routing document's `placement` for `endpoint` given what its serving config wishes, the live
 * replicas and the replicas chosen now (`current`, kept where they still match); undefined when it names no pool and no count (every replica holds it). With no live
 * replica in the pool it fails (`NoReplicaInPool`) when `required` replicas are needed, else places
 * by the selector alone, so replicas that join the pool load it.
 */
export function choosePlacement(
  endpoint: string,
  wish: PlacementWish | undefined,
  live: readonly PlacementTarget[],
  required: number,
  current: readonly string[] = [],
): RoutingPlacement | undefined {
  if (wish?.pool === undefined && wish?.replicas === undefined) return undefined;
  const selector = wish.pool !== undefined ? parseLabels(wish.pool) : {};
  const matching = live.filter((r) => matchesSelector(r.labels, selector)).map((r) => r.replicaId);
  if (matching.length === 0) {
    if (required > 0) {
      const pool = formatLabels(selector) || 'any labels';
      throw rejection('NoReplicaInPool', `no live replica with ${pool} to place ${endpoint} on (start one with \`modelship serve --labels ${pool}\`)`);
    }
    return { selector };
  }
  if (wish.replicas === undefined) return { selector };
  return { selector, replicas: stickyChoice(endpoint, matching, current, wish.replicas) };
}

/** `count` of the `matching` replica ids: those of `current` first, then the others, each in rendezvous order; sorted. */
function stickyChoice(endpoint: string, matching: readonly string[], current: readonly string[], count: number): string[] {
  const ranked = rendezvousOrder(endpoint, matching);
  const kept = ranked.filter((id) => current.includes(id));
  return [...kept, ...ranked.filter((id) => !current.includes(id))].slice(0, count).sort();
}

/** The placement a routing change writes: {@link choosePlacement} over the live replicas that answer now, keeping the current choice. */
export async function placeEndpoint(
  store: ArtifactStore,
  endpoint: string,
  desired: Parameters<typeof placingServing>[0],
  required: number,
): Promise<RoutingPlacement | undefined> {
  const wish = placingServing(desired);
  if (!wish) return undefined;
  const current = (await readDocument(store, storeKeys.routing(endpoint), routingDocument))?.placement?.replicas;
  // Only the pool's replicas can be chosen: the others are not asked whether they answer.
  const selector = wish.pool !== undefined ? parseLabels(wish.pool) : {};
  const candidates = (await liveReplicas(store)).filter((r) => matchesSelector(r.labels, selector));
  return choosePlacement(endpoint, wish, await answeringReplicas(candidates), required, current);
}

/**
 * Those of the `live` replicas that answer their liveness route now: one killed since its last heartbeat still
 * looks live for three liveness intervals (90 s at the 30 s beat), and must not be chosen meanwhile.
 */
async function answeringReplicas(live: ReplicaStatus[]): Promise<ReplicaStatus[]> {
  const answering = await Promise.all(live.map((r) => answers(r.url)));
  return live.filter((_, i) => answering[i]);
}
