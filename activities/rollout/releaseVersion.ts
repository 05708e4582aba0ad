/**
 * Routing changes: place the endpoint (`placementChoice.ts`), write its desired routing
 * (idempotently, each change a new generation), then wait until every live gateway replica it is
 * placed on has applied that generation.
 */
import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import {
  routingDocument,
  type ReleaseReport,
  type ReplicaStatus,
  type RoutingDocument,
  type RoutingPlacement,
  type ServingConfig,
  type TargetPicks,
} from '../../sdk/schemas';
import { formatLabels, isPlacedHere } from '../../serving/placement';
import type { ActivityContext } from '../activityContext';
import { rejection } from '../failures';
import { readDocument, recordRoutingChange, storeKeys, writeDocument, type ArtifactStore } from '../../store';
import { picksOf } from '../../sdk/targetPicks';
import { placeEndpoint } from './placementChoice';
import { answers, registeredReplicas } from './replicas';
import { routingDigestMismatches } from './targetDigests';

export interface ReleaseInput {
  endpoint: string;
  version: string;
  /** What CPU replicas serve (the routing's `digest`). */
  digest: string;
  /** The picks for the other targets (what GPU replicas serve); absent: `digest` everywhere. */
  picks?: TargetPicks;
  /** How long to wait for the replicas. */
  timeoutMs: number;
  minReplicas: number;
  /** Recorded in the routing document (the workflow id). */
  updatedBy: string;
  serving?: ServingConfig;
}

export interface ReleaseDeps {
  store: ArtifactStore;
  context: ActivityContext;
  /** Bearer token for the gateways' admin routes, to nudge them instead of waiting for their poll. */
  adminToken?: string;
  pollIntervalMs?: number;
}

/**
 * Makes `version` the endpoint's only version. A release that cannot be applied everywhere fails
 * (`ReleaseTimedOut`, `ReplicaLoadFailed`); returning the endpoint to its stable version is the
 * workflow's act (`returnToStable`), which knows what that version is.
 */
export async function releaseVersion(deps: ReleaseDeps, input: ReleaseInput): Promise<ReleaseReport> {
  const { version, digest, serving } = input;
  return applyRouting(deps, { ...input, desired: { versions: [{ version, digest, weight: 100, serving, ...picksOf(input) }] } });
}

export interface ApplyRoutingInput {
  endpoint: string;
  desired: DesiredRouting;
  timeoutMs: number;
  minReplicas: number;
  updatedBy: string;
}

/** Places the endpoint, writes the desired routing (idempotently) and waits until every live replica it is placed on serves it. */
export async function applyRouting(deps: ReleaseDeps, input: ApplyRoutingInput): Promise<ReleaseReport> {
  const started = performance.now();
  const placement = await placeEndpoint(deps.store, input.endpoint, input.desired, input.minReplicas);
  const generation = await writeRouting(deps.store, input.endpoint, input.updatedBy, { ...input.desired, ...(placement ? { placement } : {}) });
  const { applied, stale } = await awaitReplicas(deps, input.endpoint, generation, input.timeoutMs, input.minReplicas, placement);
  await checkTargetPicks(deps.store, input.endpoint, applied);
  return {
    endpoint: input.endpoint,
    generation,
    replicas: applied.map((r) => ({ replicaId: r.replicaId, url: r.url, generation: r.generation })),
    waitedMs: performance.now() - started,
    appliedAt: Date.now(),
    ...(stale.length > 0 ? { staleReplicas: stale.map((r) => ({ replicaId: r.replicaId, url: r.url, lastHeartbeatAt: r.heartbeatAt })) } : {}),
  };
}

/**
 * After the replicas applied the routing: each serves every version from its target's pick (a GPU
 * replica the gpu pick), as its heartbeat reports what its registry loaded; else the change fails as
 * `ReplicaLoadFailed` (the routing was written: the workflow's way back applies).
 */
async function checkTargetPicks(store: ArtifactStore, endpoint: string, applied: readonly AppliedReplica[]): Promise<void> {
  const routing = await readDocument(store, storeKeys.routing(endpoint), routingDocument);
  if (!routing) return;
  const ids = new Set(applied.map((r) => r.replicaId));
  const replicas = (await registeredReplicas(store)).live.filter((r) => ids.has(r.replicaId));
  const mismatches = routingDigestMismatches(routing, replicas);
  if (mismatches.length > 0)
    throw rejection('ReplicaLoadFailed', `generation ${routing.generation} of ${endpoint} is not served from each target's pick: ${mismatches.join('; ')}`);
}

/** What a routing change asks for: everything in the routing document but its bookkeeping. */
export type DesiredRouting = Omit<z.input<typeof routingDocument>, 'endpoint' | 'generation' | 'updatedBy'>;

/**
 * Writes the routing document unless it already says exactly this (a retried activity), logs the
 * change for the replicas (again on a retry: the first try may have stopped between the two writes;
 * a duplicate entry costs nothing), and returns the generation that carries it.
 */
export async function writeRouting(
  store: ArtifactStore,
  endpoint: string,
  updatedBy: string,
  desired: DesiredRouting | DesiredRouting['versions'],
): Promise<number> {
  const key = storeKeys.routing(endpoint);
  const current = await readDocument(store, key, routingDocument);
  const wanted = Array.isArray(desired) ? { versions: desired } : desired;
  const next: RoutingDocument = routingDocument.parse({
    ...wanted,
    endpoint,
    generation: (current?.generation ?? 0) + 1,
    updatedBy,
  });
  if (current && sameRouting(current, next)) {
    await recordRoutingChange(store, endpoint, current.generation);
    return current.generation;
  }
  await writeDocument(store, key, next);
  await recordRoutingChange(store, endpoint, next.generation);
  return next.generation;
}

function sameRouting(a: RoutingDocument, b: RoutingDocument): boolean {
  const canonical = (doc: RoutingDocument): string => {
    const { generation: _g, updatedBy: _u, versions, ...rest } = doc;
    return canonicalJson({ ...rest, versions: [...versions].sort((x, y) => x.version.localeCompare(y.version)) });
  };
  return canonical(a) === canonical(b);
}

/** JSON with object keys sorted, so equal documents compare equal. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .filter(([, x]) => x !== undefined)
            .sort(([x], [y]) => x.localeCompare(y)),
        )
      : v,
  );
}

interface AppliedReplica {
  replicaId: string;
  url: string;
  generation: number;
}

/** How long a pending replica may take to apply before it is asked whether it answers at all (then every as long). */
const SILENCE_CHECK_MS = 5_000;

/**
 * Polls replica heartbeats until every live replica the endpoint is placed on serves `generation`
 * (and at least `minReplicas` of them, or all that were chosen when fewer); returns them, and the
 * registered replicas that are stale (no heartbeat) then. Pending replicas that do not answer at all
 * (killed or frozen since their last beat), asked after {@link SILENCE_CHECK_MS} and again at the
 * timeout, are counted as stale: the step goes on without them when the others meet `minReplicas`.
 */
async function awaitReplicas(
  deps: ReleaseDeps,
  endpoint: string,
  generation: number,
  timeoutMs: number,
  wantedReplicas: number,
  placement: RoutingPlacement | undefined,
): Promise<{ applied: AppliedReplica[]; stale: ReplicaStatus[] }> {
  const minReplicas = Math.min(wantedReplicas, placement?.replicas?.length ?? wantedReplicas);
  const deadline = performance.now() + timeoutMs;
  const pollMs = deps.pollIntervalMs ?? 250;
  const nudged = new Set<string>();
  let lastProblem = 'no gateway replica has reported yet';
  let nextSilenceCheck = performance.now() + SILENCE_CHECK_MS;
  for (;;) {
    const { live: registered, stale } = await registeredReplicas(deps.store);
    // Every live replica is nudged (one the endpoint leaves unloads it); only those it is placed on are waited for.
    const live = registered.filter((r) => isPlacedHere({ placement }, r));
    await Promise.all(
      registered
        .filter((r) => !nudged.has(r.replicaId))
        .map(async (r) => {
          nudged.add(r.replicaId);
          await nudge(r.url, deps.adminToken);
        }),
    );
    const applied = live.map((r) => ({
      replicaId: r.replicaId,
      url: r.url,
      generation: r.endpoints[endpoint]?.generation ?? 0,
      error: r.endpoints[endpoint]?.error,
    }));
    const failed = applied.find((r) => r.error && r.error.generation >= generation && r.generation < generation);
    if (failed?.error) {
      throw rejection(
        'ReplicaLoadFailed',
        `gateway replica ${failed.replicaId} could not apply generation ${generation} of ${endpoint}: ${failed.error.message}`,
      );
    }
    const pending = applied.filter((r) => r.generation < generation);
    const done = applied.filter((r) => r.generation >= generation).map(({ replicaId, url, generation: g }) => ({ replicaId, url, generation: g }));
    if (live.length >= minReplicas && pending.length === 0) return { applied: done, stale };
    const staleNote = stale.length > 0 ? ` (stale, no heartbeat: ${stale.map((r) => r.replicaId).join(', ')})` : '';
    lastProblem =
      live.length < minReplicas
        ? `${live.length} live gateway replica(s)${placedOn(placement)}, ${minReplicas} required${staleNote}`
        : `waiting for ${pending.map((r) => `${r.replicaId} (at ${r.generation})`).join(', ')}`;
    deps.context.heartbeat({ generation, live: live.length, pending: pending.length, problem: lastProblem });
    // A replica killed since its last beat looks live for up to three liveness intervals (90 s at 30 s):
    // once the others meet minReplicas and it has not applied for a while, ask it instead of waiting that out.
    if (pending.length > 0 && done.length >= minReplicas && performance.now() >= nextSilenceCheck) {
      nextSilenceCheck = performance.now() + SILENCE_CHECK_MS;
      const silent = await unanswering(live, pending);
      if (silent.length === pending.length) return { applied: done, stale: [...stale, ...silent] };
    }
    if (performance.now() > deadline) {
      const silent = await unanswering(live, pending);
      if (done.length >= minReplicas && silent.length === pending.length) return { applied: done, stale: [...stale, ...silent] };
      throw rejection('ReleaseTimedOut', `generation ${generation} of ${endpoint} was not applied within ${timeoutMs} ms: ${lastProblem}`);
    }
    await deps.context.sleep(pollMs);
  }
}

/** The pending replicas that do not answer at all, as their last heartbeats. */
async function unanswering(live: ReplicaStatus[], pending: { replicaId: string }[]): Promise<ReplicaStatus[]> {
  const candidates = live.filter((r) => pending.some((p) => p.replicaId === r.replicaId));
  const answered = await Promise.all(candidates.map((r) => answers(r.url)));
  return candidates.filter((_r, i) => !answered[i]);
}

/** ` placed on pool=a` (or the chosen replicas), for messages about a placed endpoint's replicas. */
function placedOn(placement: RoutingPlacement | undefined): string {
  if (!placement) return '';
  return ` placed on ${placement.replicas ? placement.replicas.join(', ') : formatLabels(placement.selector) || 'any replica'}`;
}

/** Asks a replica to reconcile now. Best effort: the replica polls on its own anyway. */
async function nudge(url: string, token: string | undefined): Promise<void> {
  if (!token) return;
  try {
    await fetch(new URL('/admin/reconcile', url), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(2000),
    });
  } catch {
    // The replica's own poll will pick the change up.
  }
}
