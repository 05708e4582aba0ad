/**
 * What a gateway replica serves right now: per endpoint, the applied routing generation and its
 * loaded versions. Switching generations is one assignment, so a request sees the old table or
 * the new one; retired sessions are released only once their in-flight requests finish.
 */
import type { RoutingDocument, TensorSpec } from '../sdk/schemas';
import type { ModelSession, TensorMap } from '../activities/runtime';

export class LoadedVersion {
  private inflight = 0;
  private retired = false;
  private released = false;

  constructor(
    readonly version: string,
    readonly digest: string,
    readonly session: ModelSession,
  ) {}

  get inputs(): readonly TensorSpec[] {
    return this.session.signature.inputs;
  }

  get outputs(): readonly TensorSpec[] {
    return this.session.signature.outputs;
  }

  async run(feeds: TensorMap, outputNames?: readonly string[]): Promise<TensorMap> {
    this.inflight++;
    try {
      return await this.session.run(feeds, outputNames);
    } finally {
      this.inflight--;
      if (this.retired && this.inflight === 0) await this.release();
    }
  }

  /** No new requests will be routed here; release once the last in-flight one is done. */
  async retire(): Promise<void> {
    this.retired = true;
    if (this.inflight === 0) await this.release();
  }

  private async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}

export interface EndpointRoute {
  readonly endpoint: string;
  readonly generation: number;
  readonly versions: readonly { loaded: LoadedVersion; weight: number }[];
}

export class ModelRegistry {
  private readonly routes = new Map<string, EndpointRoute>();

  endpoints(): string[] {
    return [...this.routes.keys()].sort();
  }

  route(endpoint: string): EndpointRoute | undefined {
    return this.routes.get(endpoint);
  }

  /** The version that serves a request: the named one, or a weighted draw (`random` in [0, 1)). */
  pick(endpoint: string, version?: string, random: number = Math.random()): LoadedVersion | undefined {
    const route = this.routes.get(endpoint);
    if (!route) return undefined;
    if (version !== undefined) return route.versions.find((v) => v.loaded.version === version)?.loaded;
    let threshold = random * 100;
    for (const v of route.versions) {
      if (v.weight <= 0) continue;
      threshold -= v.weight;
      if (threshold < 0) return v.loaded;
    }
    return route.versions.find((v) => v.weight > 0)?.loaded;
  }

  /** The version whose metadata describes the endpoint: the one with the most traffic. */
  primary(endpoint: string): LoadedVersion | undefined {
    const route = this.routes.get(endpoint);
    if (!route) return undefined;
    return [...route.versions].sort((a, b) => b.weight - a.weight)[0]?.loaded;
  }

  /**
   * Applies a routing document: loads the versions this endpoint does not have yet (via `load`,
   * which must verify the artifact), switches, then retires versions no longer routed.
   * If any load fails nothing changes and the error propagates.
   */
  async apply(doc: RoutingDocument, load: (digest: string) => Promise<ModelSession>): Promise<void> {
    const current = this.routes.get(doc.endpoint);
    const reusable = new Map(current?.versions.map((v) => [`${v.loaded.version}@${v.loaded.digest}`, v.loaded]));
    const fresh: LoadedVersion[] = [];
    const versions: { loaded: LoadedVersion; weight: number }[] = [];
    try {
      for (const v of doc.versions) {
        let loaded = reusable.get(`${v.version}@${v.digest}`);
        if (!loaded) {
          loaded = new LoadedVersion(v.version, v.digest, await load(v.digest));
          fresh.push(loaded);
        }
        versions.push({ loaded, weight: v.weight });
      }
    } catch (error) {
      await Promise.all(fresh.map((f) => f.retire()));
      throw error;
    }
    this.routes.set(doc.endpoint, { endpoint: doc.endpoint, generation: doc.generation, versions });
    const kept = new Set(versions.map((v) => v.loaded));
    await Promise.all(current?.versions.filter((v) => !kept.has(v.loaded)).map((v) => v.loaded.retire()) ?? []);
  }

  /** Stops serving an endpoint whose routing document is gone. */
  async remove(endpoint: string): Promise<void> {
    const current = this.routes.get(endpoint);
    this.routes.delete(endpoint);
    await Promise.all(current?.versions.map((v) => v.loaded.retire()) ?? []);
  }

  async close(): Promise<void> {
    await Promise.all(this.endpoints().map((e) => this.remove(e)));
  }
}
