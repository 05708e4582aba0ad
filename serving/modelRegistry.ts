/**
 * What a gateway replica serves right now: per endpoint, the applied routing generation, its loaded
 * versions (each with its executor), the shadow target and the routing rules. Switching generations
 * is one assignment, so a request sees the old table or the new one; retired versions finish their
 * in-flight and queued requests before their sessions are released.
 */
import type { HeaderMatch, RoutingDocument, ServingConfig, TensorSpec } from '../sdk/schemas';
import type { ModelSession, TensorMap, TimedOutputs } from '../runtime';
import { DEFAULT_SERVING, VersionExecutor, type ExecutorObserver } from './versionExecutor';

export class LoadedVersion {
  private released = false;
  /** True once a run of this version has succeeded here (see `requestCausedErrors.ts`). */
  hasAnswered = false;
  readonly executor: VersionExecutor;
  /** The model's inputs by name, built once at load for request checks. */
  readonly inputsByName: ReadonlyMap<string, TensorSpec>;

  constructor(
    readonly version: string,
    readonly digest: string,
    readonly session: ModelSession,
    serving: ServingConfig = DEFAULT_SERVING,
    observer: ExecutorObserver = {},
  ) {
    this.executor = new VersionExecutor(session, serving, observer);
    this.inputsByName = new Map(session.signature.inputs.map((s) => [s.name, s]));
  }

  get inputs(): readonly TensorSpec[] {
    return this.session.signature.inputs;
  }

  get outputs(): readonly TensorSpec[] {
    return this.session.signature.outputs;
  }

  /** The model's outputs, with its own run time (in a batch, the batch's). */
  async runTimed(feeds: TensorMap, outputNames?: readonly string[]): Promise<TimedOutputs> {
    const timed = await this.executor.runTimed(feeds, outputNames);
    this.hasAnswered = true;
    return timed;
  }

  /** No new requests; release the session once the queued and in-flight ones are done. */
  async retire(): Promise<void> {
    this.executor.close();
    await this.executor.drained();
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}

export interface EndpointRoute {
  readonly endpoint: string;
  readonly generation: number;
  readonly versions: readonly { loaded: LoadedVersion; weight: number }[];
  readonly stickyHeader?: string;
  readonly match?: HeaderMatch;
  readonly shadow?: { loaded: LoadedVersion; percent: number };
}

export interface PickOptions {
  /** An explicit version from the URL (`/versions/<v>`). */
  version?: string;
  /** Lower-cased request headers. */
  headers?: Readonly<Record<string, string | string[] | undefined>>;
  /** A draw in [0, 1) for the weighted split. */
  random?: number;
}

/** Loads a version's session for its serving config (which says how many instances it gets). */
export type LoadSession = (digest: string, serving: ServingConfig) => Promise<ModelSession>;
export type ObserverFor = (endpoint: string, version: string) => ExecutorObserver;

export class ModelRegistry {
  private readonly routes = new Map<string, EndpointRoute>();
  private retiring: Promise<void> = Promise.resolve();

  constructor(private readonly observerFor: ObserverFor = () => ({})) {}

  endpoints(): string[] {
    return [...this.routes.keys()].sort();
  }

  route(endpoint: string): EndpointRoute | undefined {
    return this.routes.get(endpoint);
  }

  /**
   * The version that serves a request: the named one (served or shadow); else the header-match
   * version when its header is present; else by the sticky header's hash, or a weighted draw.
   */
  pick(endpoint: string, options: PickOptions = {}): LoadedVersion | undefined {
    const route = this.routes.get(endpoint);
    if (!route) return undefined;
    if (options.version !== undefined) {
      const served = route.versions.find((v) => v.loaded.version === options.version)?.loaded;
      return served ?? (route.shadow?.loaded.version === options.version ? route.shadow.loaded : undefined);
    }
    const headers = options.headers ?? {};
    if (route.match) {
      const value = headerValue(headers[route.match.header]);
      if (value !== undefined && (route.match.value === undefined || route.match.value === value)) {
        return route.versions.find((v) => v.loaded.version === route.match?.version)?.loaded;
      }
    }
    const sticky = route.stickyHeader ? headerValue(headers[route.stickyHeader]) : undefined;
    const draw = sticky !== undefined ? stickyDraw(sticky) : (options.random ?? Math.random());
    let threshold = draw * 100;
    for (const v of route.versions) {
      if (v.weight <= 0) continue;
      threshold -= v.weight;
      if (threshold < 0) return v.loaded;
    }
    return [...route.versions].reverse().find((v) => v.weight > 0)?.loaded;
  }

  /** The artifact each version (and the shadow) of `endpoint` is served from, as loaded here: what the heartbeat reports. */
  loadedDigests(endpoint: string): Record<string, string> {
    const route = this.routes.get(endpoint);
    const digests: Record<string, string> = Object.fromEntries((route?.versions ?? []).map((v) => [v.loaded.version, v.loaded.digest]));
    if (route?.shadow) digests[route.shadow.loaded.version] = route.shadow.loaded.digest;
    return digests;
  }

  /** The version whose metadata describes the endpoint: the one with the most traffic. */
  primary(endpoint: string): LoadedVersion | undefined {
    const route = this.routes.get(endpoint);
    if (!route) return undefined;
    return [...route.versions].sort((a, b) => b.weight - a.weight)[0]?.loaded;
  }

  /**
   * Applies a routing document: loads what this endpoint does not have yet (via `load`, which must
   * verify the artifact), switches, then retires what is no longer routed. If any load fails,
   * nothing changes and the error propagates.
   */
  async apply(doc: RoutingDocument, load: LoadSession): Promise<void> {
    const current = this.routes.get(doc.endpoint);
    const reusable = new Map<string, LoadedVersion>();
    for (const v of current?.versions ?? []) reusable.set(reuseKey(v.loaded.version, v.loaded.digest, v.loaded.executor.config), v.loaded);
    if (current?.shadow) {
      const s = current.shadow.loaded;
      reusable.set(reuseKey(s.version, s.digest, s.executor.config), s);
    }
    const fresh: LoadedVersion[] = [];
    const obtain = async (version: string, digest: string, serving: ServingConfig | undefined): Promise<LoadedVersion> => {
      const config = serving ?? DEFAULT_SERVING;
      const existing = reusable.get(reuseKey(version, digest, config));
      if (existing) return existing;
      const loaded = new LoadedVersion(version, digest, await load(digest, config), config, this.observerFor(doc.endpoint, version));
      fresh.push(loaded);
      return loaded;
    };
    let route: EndpointRoute;
    try {
      const versions = [];
      for (const v of doc.versions) versions.push({ loaded: await obtain(v.version, v.digest, v.serving), weight: v.weight });
      const shadow = doc.shadow ? { loaded: await obtain(doc.shadow.version, doc.shadow.digest, doc.shadow.serving), percent: doc.shadow.percent } : undefined;
      route = {
        endpoint: doc.endpoint,
        generation: doc.generation,
        versions,
        // Node lower-cases incoming header names.
        stickyHeader: doc.stickyHeader?.toLowerCase(),
        match: doc.match && { ...doc.match, header: doc.match.header.toLowerCase() },
        shadow,
      };
    } catch (error) {
      await Promise.all(fresh.map((f) => f.retire()));
      throw error;
    }
    this.routes.set(doc.endpoint, route);
    // Retire in the background: new requests already go to the new table; old ones finish first.
    const retiring = [...this.loadedOf(current)].filter((l) => !this.loadedOf(route).has(l));
    this.retiring = Promise.all([this.retiring, ...retiring.map((l) => l.retire())]).then(() => undefined);
  }

  /** Resolves once every retired version has drained and been released. */
  whenRetired(): Promise<void> {
    return this.retiring;
  }

  /** Stops serving an endpoint whose routing document is gone. */
  async remove(endpoint: string): Promise<void> {
    const current = this.routes.get(endpoint);
    this.routes.delete(endpoint);
    await Promise.all([...this.loadedOf(current)].map((l) => l.retire()));
  }

  async close(): Promise<void> {
    await Promise.all(this.endpoints().map((e) => this.remove(e)));
    await this.retiring;
  }

  private loadedOf(route: EndpointRoute | undefined): Set<LoadedVersion> {
    const set = new Set<LoadedVersion>(route?.versions.map((v) => v.loaded) ?? []);
    if (route?.shadow) set.add(route.shadow.loaded);
    return set;
  }
}

function reuseKey(version: string, digest: string, serving: ServingConfig): string {
  return `${version}@${digest}@${JSON.stringify(serving)}`;
}

/** A header's value (the first, when it came more than once). */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * FNV-1a of the sticky key, finalized with murmur3's fmix32 (FNV alone clusters similar keys),
 * mapped to [0, 1): the same key lands on the same version on every replica.
 */
export function stickyDraw(key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b) >>> 0;
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35) >>> 0;
  hash ^= hash >>> 16;
  return (hash >>> 0) / 0x1_0000_0000;
}
