/** Prometheus metrics of a gateway replica (prom-client), labelled by endpoint and version. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type LabelValues } from 'prom-client';

const BY_VERSION = ['endpoint', 'version'] as const;

/** The labels every per-version series has. */
export interface VersionLabels {
  endpoint: string;
  version: string;
}

/** What {@link GatewayMetrics.served} needs of a routing document: the versions it loads. */
export interface ServedRouting {
  generation: number;
  versions: readonly { version: string; weight: number }[];
  shadow?: { version: string };
  match?: { version: string };
}

/** A metric a series can be removed from (every prom-client metric type). */
interface Removable {
  remove(labels: LabelValues<string>): void;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests = this.counter('modelship_requests_total', 'Inference requests answered, by endpoint, version and HTTP status code.', [
    ...BY_VERSION,
    'code',
  ]);
  readonly clientAborts = this.counter(
    'modelship_client_aborts_total',
    "Inference requests whose client went away before its answer (REST connection closed, gRPC call cancelled), by endpoint and version; also counted with code 499 in modelship_requests_total, never as the version's errors.",
    BY_VERSION,
  );
  readonly nonFiniteOutputs = this.counter(
    'modelship_nonfinite_outputs_total',
    'Served answers refused (500) because an output held NaN or Inf, by endpoint, version and output; also counted as 500s in modelship_requests_total.',
    [...BY_VERSION, 'output'],
  );
  readonly latency = this.histogram(
    'modelship_request_duration_seconds',
    'Inference request latency (decode, queue, model, encode), by endpoint and version.',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  );
  readonly batchSize = this.histogram('modelship_batch_size', 'Rows per model run (1 without batching).', [1, 2, 4, 8, 16, 32, 64, 128, 256]);
  readonly queueDepth = this.gauge('modelship_queue_depth', 'Requests waiting for a model run.', BY_VERSION);
  readonly shadowComparisons = this.counter(
    'modelship_shadow_comparisons_total',
    'Mirrored requests compared with the served answer, by result (agree, disagree, error).',
    [...BY_VERSION, 'result'],
  );
  readonly shadowMaxAbsDiff = this.gauge('modelship_shadow_max_abs_diff', 'Largest absolute output difference seen on the last mirrored request.', BY_VERSION);
  readonly generation = this.gauge('modelship_routing_generation', 'Routing generation this replica serves, by endpoint.', ['endpoint']);
  readonly weight = this.gauge(
    'modelship_routing_weight',
    "Share of an endpoint's traffic routed to a version, in percent (0-100), by endpoint and version, as this replica applied it; stable stays at 100 during a shadow or header-match phase (mirrored and header-matched requests are not weighted traffic), the candidate of a header-match phase and the previous version during a watch show 0, a shadow-only candidate has no series.",
    BY_VERSION,
  );
  /** The versions each endpoint has loaded (routed, mirrored to, or matched by header): only these are written. */
  private readonly loaded = new Map<string, Set<string>>();
  /** Every series written, by endpoint and version, so that a version's series are removed at once when it is unloaded. */
  private readonly written = new Map<string, Map<Removable, Map<string, LabelValues<string>>>>();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'modelship_gateway_' });
  }

  /** The endpoints this replica serves (has a routing document applied for). */
  endpoints(): IterableIterator<string> {
    return this.loaded.keys();
  }

  /** Counts one event of a loaded version; a version no longer loaded (a request still in flight when it was unloaded) is not counted. */
  inc<L extends string>(metric: Counter<L>, labels: VersionLabels & LabelValues<L>): void {
    if (this.track(metric, labels)) metric.inc(labels);
  }

  /** Observes a value of a loaded version (see {@link inc}). */
  observe<L extends string>(metric: Histogram<L>, labels: VersionLabels & LabelValues<L>, value: number): void {
    if (this.track(metric, labels)) metric.observe(labels, value);
  }

  /** Sets a gauge of a loaded version (see {@link inc}): a retiring version's queue draining does not bring its series back. */
  set<L extends string>(metric: Gauge<L>, labels: VersionLabels & LabelValues<L>, value: number): void {
    if (this.track(metric, labels)) metric.set(labels, value);
  }

  /**
   * Records what an endpoint serves after a routing change (`undefined`: nothing, it was removed):
   * its generation and each version's weight; every series of a version no longer loaded is
   * dropped. Synchronous, so no write lands between deciding what is loaded and removing the rest.
   */
  served(endpoint: string, routing: ServedRouting | undefined): void {
    const loaded = new Set(
      routing
        ? [...routing.versions.map((v) => v.version), ...(routing.shadow ? [routing.shadow.version] : []), ...(routing.match ? [routing.match.version] : [])]
        : [],
    );
    if (routing) this.loaded.set(endpoint, loaded);
    else this.loaded.delete(endpoint);
    for (const [key, series] of this.written) {
      const [ofEndpoint, version] = JSON.parse(key) as [string, string];
      if (ofEndpoint !== endpoint || loaded.has(version)) continue;
      for (const [metric, labelSets] of series) for (const labels of labelSets.values()) metric.remove(labels);
      this.written.delete(key);
    }
    if (!routing) {
      this.generation.remove({ endpoint });
      return;
    }
    this.generation.set({ endpoint }, routing.generation);
    for (const v of routing.versions) this.set(this.weight, { endpoint, version: v.version }, v.weight);
  }

  /** Remembers the series a write touches; false (write nothing) when its version is not loaded. */
  private track(metric: Removable, labels: VersionLabels & LabelValues<string>): boolean {
    if (!this.loaded.get(labels.endpoint)?.has(labels.version)) return false;
    const key = JSON.stringify([labels.endpoint, labels.version]);
    let series = this.written.get(key);
    if (!series) this.written.set(key, (series = new Map()));
    let labelSets = series.get(metric);
    if (!labelSets) series.set(metric, (labelSets = new Map()));
    const id = JSON.stringify(labels);
    if (!labelSets.has(id)) labelSets.set(id, { ...labels });
    return true;
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  /** Histograms here are all by endpoint and version. */
  private histogram(name: string, help: string, buckets: number[]): Histogram<(typeof BY_VERSION)[number]> {
    return new Histogram({ name, help, labelNames: BY_VERSION, buckets, registers: [this.registry] });
  }
}
