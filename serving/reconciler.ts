/**
 * Brings a replica to the desired state in the store: polls every endpoint's routing document,
 * loads (digest-verified) what is new, and reports what it applied in its heartbeat document.
 */
import type { ModelRuntime } from '../runtime';
import { getModel, readDocument, storeKeys, writeDocument, type ArtifactStore } from '../store';
import { routingDocument, type AppliedEndpoint, type ReplicaLabels, type ReplicaStatus, type RoutingDocument, type ServingConfig } from '../sdk/schemas';
import { instancesFor, intraOpThreadsFor } from './instanceSizing';
import { MemoryBudget } from './memoryBudget';
import type { ModelRegistry } from './modelRegistry';
import { isPlacedHere } from './placement';

export interface ReconcilerOptions {
  store: ArtifactStore;
  runtime: ModelRuntime;
  registry: ModelRegistry;
  replicaId: string;
  /** Where this replica answers, as other processes should reach it. */
  url: string;
  pollIntervalMs: number;
  heartbeatIntervalMs: number;
  /** onnxruntime intra-op threads per instance; 0 shares the cores out between a version's instances. */
  intraOpThreads: number;
  log: (message: string) => void;
  /** This replica's labels, which endpoints' `serving.pool` selects on (reported in its heartbeat). */
  labels?: ReplicaLabels;
  /** Memory its models may take, in bytes; default a share of the host's memory ({@link MemoryBudget}). */
  memoryBudgetBytes?: number;
  /** Told what an endpoint serves after each change: the routing applied, or `undefined` once it is removed. */
  onApplied?: (endpoint: string, routing: RoutingDocument | undefined) => void;
}

/** A generation that failed to load (corrupt artifact, store outage) is tried again after this long. */
const RETRY_FAILED_AFTER_MS = 10_000;

export class Reconciler {
  private readonly applied = new Map<string, AppliedEndpoint>();
  /** When each endpoint's last failed apply happened; the same generation is retried after a pause. */
  private readonly failedAt = new Map<string, number>();
  private readonly startedAt = new Date().toISOString();
  private running: Promise<void> | undefined;
  private again = false;
  private timers: NodeJS.Timeout[] = [];
  /** Endpoints with no version served yet whose routing generation is being loaded now. */
  private readonly loading = new Map<string, number>();
  /** True once the first reconcile pass has finished. */
  ready = false;

  private readonly memory: MemoryBudget;

  constructor(private readonly options: ReconcilerOptions) {
    this.memory = new MemoryBudget(options.memoryBudgetBytes);
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

  async start(): Promise<void> {
    await this.reconcile();
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

  /** One pass; concurrent callers share the pass under way and get one more after it. */
  reconcile(): Promise<void> {
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
    const { store, registry } = this.options;
    const keys = await store.list(storeKeys.endpointsPrefix);
    const seen = new Set<string>();
    let changed = false;
    for (const key of keys) {
      const endpoint = storeKeys.endpointOfRouting(key);
      if (!endpoint) continue;
      const doc = await readDocument(store, key, routingDocument).catch((error: Error) => {
        this.options.log(`skipping ${key}: ${error.message}`);
        return undefined;
      });
      // Placed on other replicas: unloaded below, like an endpoint whose routing is gone.
      if (doc && !isPlacedHere(doc, this.options)) continue;
      seen.add(endpoint);
      const state = this.applied.get(endpoint) ?? { generation: 0 };
      if (!doc || doc.generation <= state.generation) continue;
      const recentlyFailed = state.error?.generation === doc.generation && Date.now() - (this.failedAt.get(endpoint) ?? 0) < RETRY_FAILED_AFTER_MS;
      if (recentlyFailed) continue;
      if (!registry.route(endpoint)) this.loading.set(endpoint, doc.generation);
      try {
        await registry.apply(doc, (digest, serving) => this.load(digest, serving));
        this.applied.set(endpoint, { generation: doc.generation });
        this.failedAt.delete(endpoint);
        this.options.onApplied?.(endpoint, doc);
        const shadow = doc.shadow ? `, shadow ${doc.shadow.version} ${doc.shadow.percent}%` : '';
        this.options.log(`${endpoint}: applied generation ${doc.generation} (${doc.versions.map((v) => `${v.version} ${v.weight}%`).join(', ')}${shadow})`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.applied.set(endpoint, { generation: state.generation, error: { generation: doc.generation, message } });
        this.failedAt.set(endpoint, Date.now());
        this.options.log(`${endpoint}: cannot apply generation ${doc.generation}: ${message}`);
      } finally {
        this.loading.delete(endpoint);
      }
      changed = true;
    }
    // Also forgets the failures of endpoints whose routing document is gone (they are unknown now, not unloaded).
    for (const endpoint of new Set([...registry.endpoints(), ...this.applied.keys()])) {
      if (!seen.has(endpoint)) {
        await registry.remove(endpoint);
        this.applied.delete(endpoint);
        this.options.onApplied?.(endpoint, undefined);
        changed = true;
      }
    }
    this.ready = true;
    if (changed) await this.heartbeat();
  }

  /** The version's instances (worker threads), sized for this replica's cores. */
  private async load(digest: string, serving: ServingConfig) {
    const bytes = await getModel(this.options.store, digest);
    const instances = instancesFor(serving);
    const intraOpThreads = intraOpThreadsFor(instances, this.options.intraOpThreads);
    this.memory.admit(`model ${digest.slice(0, 12)} (${instances} instance(s))`, bytes.byteLength * instances);
    // A gateway holds many sessions in one process: spinning operator threads would starve each other.
    const session = await this.options.runtime.load(bytes, { instances, intraOpThreads, allowSpinning: false });
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
      ...(this.options.labels ? { labels: this.options.labels } : {}),
      memoryBudgetBytes: this.memory.budgetBytes,
      memoryUsedBytes: this.memory.usedBytes,
    };
    await writeDocument(this.options.store, storeKeys.replica(this.options.replicaId), status);
  }
}
