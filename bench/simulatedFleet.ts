/**
 * Simulated gateway replicas for `bench:scale`: many in one process, each with its own S3 client
 * and every request counted, loading no model. Two kinds: the change-driven `Reconciler` as the
 * gateway runs it, and the behaviour it replaced (each second: list `endpoints/`, read every routing
 * document, write the heartbeat), so both are measured in the same run against the same server.
 */
import { performance } from 'node:perf_hooks';
import { Reconciler } from '../serving/reconciler';
import type { ModelRuntime } from '../runtime';
import { routingDocument, type RoutingDocument } from '../sdk/schemas';
import { readDocument, storeKeys, writeDocument, type ArtifactStore } from '../store';
import type { RequestCounts } from '../test/support/countingStore';

/** A fleet of replicas: when each applied a generation, a nudge (what a release's admin call does), stop. */
export interface SimulatedFleet {
  readonly size: number;
  /** When (performance.now()) each replica applied `generation` of `endpoint`, once all have; rejects after `timeoutMs`. */
  appliedAt(endpoint: string, generation: number, timeoutMs: number): Promise<number[]>;
  nudge(): void;
  /** Every replica's safety pass, at once (the change-driven fleet's; the other is always passing). */
  fullPass(): Promise<void>;
  stop(): Promise<void>;
}

/** Records apply times per `<endpoint>@<generation>`, and wakes whoever waits for all replicas. */
class ApplyLog {
  private readonly times = new Map<string, number[]>();

  record(endpoint: string, generation: number): void {
    const key = `${endpoint}@${generation}`;
    this.times.set(key, [...(this.times.get(key) ?? []), performance.now()]);
  }

  async all(endpoint: string, generation: number, replicas: number, timeoutMs: number): Promise<number[]> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const times = this.times.get(`${endpoint}@${generation}`) ?? [];
      if (times.length >= replicas) return times;
      if (performance.now() > deadline)
        throw new Error(`${endpoint} generation ${generation}: ${times.length} of ${replicas} replicas applied within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** A registry that serves nothing and records what it was told to apply. */
function recordingRegistry(log: ApplyLog) {
  const served = new Set<string>();
  return {
    apply: async (doc: RoutingDocument) => {
      served.add(doc.endpoint);
      log.record(doc.endpoint, doc.generation);
    },
    remove: async (endpoint: string) => void served.delete(endpoint),
    route: (endpoint: string) => (served.has(endpoint) ? ({} as never) : undefined),
    endpoints: () => [...served],
    loadedDigests: () => ({}), // it loads nothing
  };
}

/** `stores[i]` is replica i's (counted) store. Started one after another, as a fleet rolls out. */
export async function changeDrivenFleet(stores: ArtifactStore[], intervals: { pollMs: number; heartbeatMs: number }): Promise<SimulatedFleet> {
  const log = new ApplyLog();
  const reconcilers = stores.map(
    (store, i) =>
      new Reconciler({
        store,
        runtime: {} as ModelRuntime,
        registry: recordingRegistry(log),
        replicaId: `sim-${i}`,
        url: `http://sim-${i}`,
        pollIntervalMs: intervals.pollMs,
        heartbeatIntervalMs: intervals.heartbeatMs,
        intraOpThreads: 1,
        log: () => undefined,
      }),
  );
  await Promise.all(reconcilers.map((r) => r.start()));
  return {
    size: reconcilers.length,
    appliedAt: (endpoint, generation, timeoutMs) => log.all(endpoint, generation, reconcilers.length, timeoutMs),
    nudge: () => reconcilers.forEach((r) => void r.reconcile().catch(() => undefined)),
    fullPass: async () => void (await Promise.all(reconcilers.map((r) => r.reconcile('full')))),
    stop: async () => void (await Promise.all(reconcilers.map((r) => r.stop()))),
  };
}

/** The replaced behaviour: every second a pass over every routing document (back to back when a pass takes longer), and a heartbeat. */
export async function pollEverythingFleet(stores: ArtifactStore[]): Promise<SimulatedFleet> {
  const log = new ApplyLog();
  let running = true;
  const loops = stores.map(async (store, i) => {
    const applied = new Map<string, number>();
    const heartbeat = setInterval(() => void writeDocument(store, storeKeys.replica(`old-${i}`), { replicaId: `old-${i}` }).catch(() => undefined), 1000);
    while (running) {
      const started = performance.now();
      for (const key of await store.list(storeKeys.endpointsPrefix)) {
        const endpoint = storeKeys.endpointOfRouting(key);
        if (!endpoint || !running) continue;
        const doc = await readDocument(store, key, routingDocument).catch(() => undefined);
        if (doc && doc.generation > (applied.get(endpoint) ?? 0)) {
          applied.set(endpoint, doc.generation);
          log.record(endpoint, doc.generation);
        }
      }
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (performance.now() - started))));
    }
    clearInterval(heartbeat);
  });
  return {
    size: stores.length,
    appliedAt: (endpoint, generation, timeoutMs) => log.all(endpoint, generation, stores.length, timeoutMs),
    // The old nudge was one more full pass; the loop above is always passing, so a nudge adds nothing measurable.
    nudge: () => undefined,
    fullPass: async () => undefined,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Requests per second between two snapshots of the counts. */
export function ratesBetween(before: RequestCounts, after: RequestCounts, seconds: number): RequestCounts {
  return { list: (after.list - before.list) / seconds, put: (after.put - before.put) / seconds, get: (after.get - before.get) / seconds };
}
