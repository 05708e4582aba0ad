/**
 * Routing changes: write the desired routing of an endpoint (idempotently, each change a new
 * generation), then wait until every live gateway replica has applied that generation.
 */
import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import { routingDocument, type ReleaseReport, type ReplicaStatus, type RoutingDocument, type ServingConfig } from '../../sdk/schemas';
import type { ActivityContext } from '../activityContext';
import { rejection } from '../failures';
import { readDocument, recordRoutingChange, storeKeys, writeDocument, type ArtifactStore } from '../../store';
import { answers, registeredReplicas } from './replicas';

export interface ReleaseInput {
  endpoint: string;
  version: string;
  digest: string;
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
  return applyRouting(deps, { ...input, desired: { versions: [{ version: input.version, digest: input.digest, weight: 100, serving: input.serving }] } });
}

export interface ApplyRoutingInput {
  endpoint: string;
  desired: DesiredRouting;
  timeoutMs: number;
  minReplicas: number;
  updatedBy: string;
}

/** Writes the desired routing (idempotently) and waits until every live replica serves it. */
export async function applyRouting(deps: ReleaseDeps, input: ApplyRoutingInput): Promise<ReleaseReport> {
  const started = performance.now();
  const generation = await writeRouting(deps.store, input.endpoint, input.updatedBy, input.desired);
  const { applied, stale } = await awaitReplicas(deps, input.endpoint, generation, input.timeoutMs, input.minReplicas);
  return {
    endpoint: input.endpoint,
    generation,
    replicas: applied.map((r) => ({ replicaId: r.replicaId, url: r.url, generation: r.generation })),
    waitedMs: performance.now() - started,
    appliedAt: Date.now(),
    ...(stale.length > 0 ? { staleReplicas: stale.map((r) => ({ replicaId: r.replicaId, url: r.url, lastHeartbeatAt: r.heartbeatAt })) } : {}),
  };
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

/**
 * Polls replica heartbeats until every live replica serves `generation` (and at least `minReplicas`
 * live); returns them, and the registered replicas that are stale (no heartbeat) then. At the
 * timeout, pending replicas that do not answer at all (killed or frozen since their last beat) are
 * counted as stale: the step goes on without them when the others meet `minReplicas`.
 */
async function awaitReplicas(
  deps: ReleaseDeps,
  endpoint: string,
  generation: number,
  timeoutMs: number,
  minReplicas: number,
): Promise<{ applied: AppliedReplica[]; stale: ReplicaStatus[] }> {
  const deadline = performance.now() + timeoutMs;
  const pollMs = deps.pollIntervalMs ?? 250;
  const nudged = new Set<string>();
  let lastProblem = 'no gateway replica has reported yet';
  for (;;) {
    const { live, stale } = await registeredReplicas(deps.store);
    await Promise.all(
      live
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
        ? `${live.length} live gateway replica(s), ${minReplicas} required${staleNote}`
        : `waiting for ${pending.map((r) => `${r.replicaId} (at ${r.generation})`).join(', ')}`;
    deps.context.heartbeat({ generation, live: live.length, pending: pending.length, problem: lastProblem });
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
