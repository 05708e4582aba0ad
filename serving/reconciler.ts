/**
 * Brings a replica to the desired state in the store, at a cost that follows what changes: each
 * poll (and each admin nudge) reads the routing change log once (`routingChangeFeed.ts`) and reads
 * only the routing documents it names; a full pass (list `endpoints/`, read every routing document,
 * drop endpoints whose document is gone) runs on start and then every `fullPassIntervalMs`, as a
 * safety net for writes the log missed. Loads (digest-verified) what is new, and reports what it
 * applied in its heartbeat document: written when something changed, and every
 * `heartbeatIntervalMs` as a liveness beat.
 */
import { loadForTarget, SHARED_SESSION_SPIN_US, type ModelRuntime } from '../runtime';
import { routingFor } from '../sdk/targetPicks';
import { getModel, listedVersion, readDocument, storeKeys, writeDocument, type ArtifactStore } from '../store';
import {
  routingDocument,
  type AppliedEndpoint,
  type ReplicaLabels,
  type ReplicaStatus,
  type RoutingDocument,
  type RoutingPlacement,
  type ServingConfig,
  type Target,
} from '../sdk/schemas';
import { instancesFor, intraOpThreadsFor } from './instanceSizing';
import { MemoryBudget } from './memoryBudget';
import type { ModelRegistry } from './modelRegistry';
import { isPlacedHere } from './placement';
import { RoutingChangeFeed } from './routingChangeFeed';

export interface ReconcilerOptions {
  store: ArtifactStore;
  runtime: ModelRuntime;
  /** What serves; the reconciler only applies, removes and asks what is routed. */
  registry: Pick<ModelRegistry, 'apply' | 'remove' | 'route' | 'endpoints' | 'loadedDigests'>;
  replicaId: string;
  /** Where this replica answers, as other processes should reach it. */
  url: string;
  /** How often the routing change log is read. */
  pollIntervalMs: number;
  /** The liveness beat: the longest time between two heartbeats (one is also written after each change). */
  heartbeatIntervalMs: number;
  /** How often every routing document is read (default 5 min); also when the log was not read for that long. */
  fullPassIntervalMs?: number;
  /** How far behind the reader's clock a writer's may be without a logged change being missed (default 30 s). */
  changeSkewMarginMs?: number;
  /** onnxruntime intra-op threads per instance; 0 shares the cores out between a version's instances. */
  intraOpThreads: number;
  log: (message: string) => void;
  /** The hardware it serves on (default cpu): it loads each version's pick for it, on that target's execution providers only. */
  target?: Target;
  /** This replica's labels, which endpoints' `serving.pool` selects on (reported in its heartbeat). */
  labels?: ReplicaLabels;
  /** Memory its models may take, in bytes; default a share of the host's memory ({@link MemoryBudget}). */
  memoryBudgetBytes?: number;
  /** Told what an endpoint serves after each change: the routing applied, or `undefined` once it is removed. */
  onApplied?: (endpoint: string, routing: RoutingDocument | undefined) => void;
}

/** A generation that failed to load (corrupt artifact, store outage) is tried again after this long. */
const RETRY_FAILED_AFTER_MS = 10_000;

export const DEFAULT_FULL_PASS_INTERVAL_MS = 5 * 60_000;
export const DEFAULT_CHANGE_SKEW_MARGIN_MS = 30_000;

export class Reconciler {
  private readonly applied = new Map<string, AppliedEndpoint>();
  /** When each endpoint's last failed apply happened; the same generation is retried after a pause. */
  private readonly failedAt = new Map<string, number>();
  private readonly startedAt = new Date().toISOString();
  private running: Promise<void> | undefined;
  private again = false;
  /** True until a full pass succeeds; set again by `reconcile('full')` and when one is due. */
  private fullDue = true;
  private lastFullPassAt = -Infinity;
  /** Each routing document's modified time and size when the last full pass read it: unchanged ones are not read again. */
  private readonly listedAs = new Map<string, string>();
  /** The generation of each endpoint's routing document when this replica last read it (placed here or not). */
  private readonly readGeneration = new Map<string, number>();
  private readonly feed: RoutingChangeFeed;
  private timers: NodeJS.Timeout[] = [];
  /** Where each endpoint placed on other replicas runs, as its routing document last said (for the 404 here). */
  private readonly elsewhere = new Map<string, RoutingPlacement>();
  /** Endpoints with no version served yet whose routing generation is being loaded now. */
  private readonly loading = new Map<string, number>();
  /** True once the first reconcile pass has finished. */
  ready = false;

  private readonly memory: MemoryBudget;

  /** The hardware it serves on. */
  private get target(): Target {
    return this.options.target ?? 'cpu';
  }

  constructor(private readonly options: ReconcilerOptions) {
    this.memory = new MemoryBudget(options.memoryBudgetBytes);
    this.feed = new RoutingChangeFeed(options.store, options.changeSkewMarginMs ?? DEFAULT_CHANGE_SKEW_MARGIN_MS);
  }

  status(): Record<string, AppliedEndpoint> {
    return Object.fromEntries(this.applied);
  }

  /**
   * Why this replica serves no version of `endpoint` although the store may route it: its first
   * load is under way, or failed (and why), or the replica has not yet read the store; undefined
   * when a version serves, or when the store does not route the endpoint (an unknown model).
   */
  whyNotServing(endpoint: string): string | undefined {
    if (this.options.registry.route(endpoint)) return undefined;
    const loading = this.loading.get(endpoint);
    if (loading !== undefined) return `generation ${loading} is still loading`;
    const error = this.applied.get(endpoint)?.error;
    if (error) return `generation ${error.generation} failed to load: ${error.message}`;
    return this.ready ? undefined : 'the replica has not finished reading the routing in the store';
  }

  /** Where `endpoint` runs when its placement leaves this replica out; undefined when it is placed here or not routed. */
  placedElsewhere(endpoint: string): RoutingPlacement | undefined {
    return this.elsewhere.get(endpoint);
  }

  async start(): Promise<void> {
    await this.reconcile('full');
    await this.heartbeat();
    this.timers.push(
      setInterval(() => this.poll(), this.options.pollIntervalMs),
      setInterval(() => void this.heartbeat().catch((e) => this.options.log(`heartbeat failed: ${String(e)}`)), this.options.heartbeatIntervalMs),
    );
    for (const t of this.timers) t.unref();
  }

  /** Stops polling and deregisters this replica. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.running;
    await this.options.store.delete(storeKeys.replica(this.options.replicaId)).catch(() => undefined);
  }

  /**
   * A periodic poll: a pass unless one is under way. (It must not ask for another pass after the
   * current one, or a replica whose passes take longer than the interval never settles.)
   */
  private poll(): void {
    if (this.running) return;
    this.reconcile().catch((e: unknown) => this.options.log(`reconcile failed: ${String(e)}`));
  }

  /**
   * One pass; concurrent callers share the pass under way and get one more after it. `changes` (a
   * poll, a nudge) applies what the change log names and retries failed loads; `full` reads every
   * routing document and also drops the endpoints whose document is gone.
   */
  reconcile(mode: 'changes' | 'full' = 'changes'): Promise<void> {
    if (mode === 'full') this.fullDue = true;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.pass();
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async pass(): Promise<void> {
    const interval = this.options.fullPassIntervalMs ?? DEFAULT_FULL_PASS_INTERVAL_MS;
    const full = this.fullDue || Date.now() - this.lastFullPassAt >= interval || this.feed.sinceLastRead() >= interval;
    const changed = full ? await this.fullPass() : await this.changePass();
    this.ready = true;
    if (changed) await this.heartbeat();
  }

  /**
   * Every routing document that changed since this replica last read it (by the listing's ETag, else
   * modified time and size: {@link listedVersion}; the listing costs a request per 1,000 keys, reading costs one per document);
   * endpoints whose document is gone are removed. True when anything was applied or removed.
   */
  private async fullPass(): Promise<boolean> {
    const { store, registry } = this.options;
    // Before listing: whatever is logged from now on is read by the next change pass.
    this.feed.markRead();
    const startedAt = Date.now();
    const seen = new Set<string>();
    let changed = false;
    for (const object of await store.listObjects(storeKeys.endpointsPrefix)) {
      const endpoint = storeKeys.endpointOfRouting(object.key);
      if (!endpoint) continue;
      seen.add(endpoint);
      const listedAs = listedVersion(object);
      if (this.listedAs.get(endpoint) === listedAs && !this.failedAt.has(endpoint)) continue;
      const refreshed = await this.refresh(endpoint);
      if (refreshed === 'applied') changed = true;
      if (refreshed !== 'unreadable' && !this.failedAt.has(endpoint)) this.listedAs.set(endpoint, listedAs);
    }
    // Also forgets the failures of endpoints whose routing document is gone (they are unknown now, not unloaded).
    for (const endpoint of new Set([...registry.endpoints(), ...this.applied.keys()])) {
      if (!seen.has(endpoint)) {
        await this.forget(endpoint);
        this.listedAs.delete(endpoint);
        this.readGeneration.delete(endpoint);
        changed = true;
      }
    }
    for (const endpoint of this.elsewhere.keys()) if (!seen.has(endpoint)) this.elsewhere.delete(endpoint);
    this.fullDue = false;
    this.lastFullPassAt = startedAt;
    return changed;
  }

  /** The endpoints the change log names with a newer generation, and failed loads due a retry. True when anything was applied. */
  private async changePass(): Promise<boolean> {
    const due = new Set<string>();
    for (const [endpoint, generation] of await this.feed.read()) {
      if (generation > (this.readGeneration.get(endpoint) ?? 0)) due.add(endpoint);
    }
    for (const [endpoint, at] of this.failedAt) if (Date.now() - at >= RETRY_FAILED_AFTER_MS) due.add(endpoint);
    let changed = false;
    for (const endpoint of due) if ((await this.refresh(endpoint)) === 'applied') changed = true;
    return changed;
  }

  /**
   * Reads one endpoint's routing document and applies it if it is newer: `applied` when an apply was
   * tried (it may have failed: see `failedAt`), `unchanged` when there was nothing to apply now.
   */
  private async refresh(endpoint: string): Promise<'applied' | 'unchanged' | 'unreadable'> {
    const { store, registry } = this.options;
    const key = storeKeys.routing(endpoint);
    const doc = await readDocument(store, key, routingDocument).catch((error: Error) => {
      this.options.log(`skipping ${key}: ${error.message}`);
      return undefined;
    });
    if (!doc) return 'unreadable';
    this.readGeneration.set(endpoint, doc.generation);
    // Placed on other replicas: unloaded, like an endpoint whose routing is gone.
    if (doc.placement && !isPlacedHere(doc, this.options)) {
      this.elsewhere.set(endpoint, doc.placement);
      if (!registry.route(endpoint) && !this.applied.has(endpoint)) return 'unchanged';
      await this.forget(endpoint);
      return 'applied';
    }
    this.elsewhere.delete(endpoint);
    const state = this.applied.get(endpoint) ?? { generation: 0 };
    if (doc.generation <= state.generation) return 'unchanged';
    const recentlyFailed = state.error?.generation === doc.generation && Date.now() - (this.failedAt.get(endpoint) ?? 0) < RETRY_FAILED_AFTER_MS;
    if (recentlyFailed) return 'unchanged';
    if (!registry.route(endpoint)) this.loading.set(endpoint, doc.generation);
    try {
      const served = routingFor(doc, this.target);
      await registry.apply(served, (digest, serving) => this.load(digest, serving));
      // What the registry loaded, not what the routing asked for: the release's check compares the two.
      this.applied.set(endpoint, { generation: doc.generation, digests: registry.loadedDigests(endpoint) });
      this.failedAt.delete(endpoint);
      this.options.onApplied?.(endpoint, doc);
      const shadow = doc.shadow ? `, shadow ${doc.shadow.version} ${doc.shadow.percent}%` : '';
      this.options.log(`${endpoint}: applied generation ${doc.generation} (${doc.versions.map((v) => `${v.version} ${v.weight}%`).join(', ')}${shadow})`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.applied.set(endpoint, { ...state, error: { generation: doc.generation, message } });
      this.failedAt.set(endpoint, Date.now());
      this.options.log(`${endpoint}: cannot apply generation ${doc.generation}: ${message}`);
    } finally {
      this.loading.delete(endpoint);
    }
    return 'applied';
  }

  /** Stops serving `endpoint` and forgets what was applied for it (and its failures). */
  private async forget(endpoint: string): Promise<void> {
    await this.options.registry.remove(endpoint);
    this.applied.delete(endpoint);
    this.failedAt.delete(endpoint);
    this.options.onApplied?.(endpoint, undefined);
  }

  /** The version's instances (worker threads), sized for this replica's cores. */
  private async load(digest: string, serving: ServingConfig) {
    const bytes = await getModel(this.options.store, digest);
    const instances = instancesFor(serving);
    const intraOpThreads = intraOpThreadsFor(instances, this.options.intraOpThreads);
    this.memory.admit(`model ${digest.slice(0, 12)} (${instances} instance(s))`, bytes.byteLength * instances);
    // A gateway holds many sessions in one process: operator threads spin only between a run's parallel sections.
    const session = await loadForTarget(this.options.runtime, bytes, this.target, { instances, intraOpThreads, spinMicroseconds: SHARED_SESSION_SPIN_US });
    if (this.target !== 'cpu') this.options.log(`model ${digest.slice(0, 12)} loaded on ${session.runtime.executionProvider} (target ${this.target})`);
    return this.memory.charge(session, bytes.byteLength * instances);
  }

  private async heartbeat(): Promise<void> {
    const status: ReplicaStatus = {
      replicaId: this.options.replicaId,
      url: this.options.url,
      startedAt: this.startedAt,
      heartbeatAt: new Date().toISOString(),
      heartbeatIntervalMs: this.options.heartbeatIntervalMs,
      endpoints: this.status(),
      target: this.target,
      ...(this.options.labels ? { labels: this.options.labels } : {}),
      memoryBudgetBytes: this.memory.budgetBytes,
      memoryUsedBytes: this.memory.usedBytes,
    };
    await writeDocument(this.options.store, storeKeys.replica(this.options.replicaId), status);
  }
}
