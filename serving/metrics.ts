/** Prometheus metrics of a gateway replica (prom-client), labelled by endpoint and version. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type LabelValues } from 'prom-client';

const BY_VERSION = ['endpoint', 'version'] as const;

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
    "Share of an endpoint's traffic routed to a version, in percent (0-100), by endpoint and version, as this replica applied it; a version loaded at 0 (stable during a shadow or header-match phase, the previous version during a watch) shows 0.",
    BY_VERSION,
  );
  /** The versions each endpoint has series for, so that those of versions no longer loaded can be dropped. */
  private readonly versions = new Map<string, Set<string>>();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'modelship_gateway_' });
  }

  /**
   * Records what an endpoint serves after a routing change (`undefined`: nothing, it was removed):
   * its generation and each version's weight; every series of a version no longer loaded is dropped.
   */
  async served(endpoint: string, routing: { generation: number; versions: readonly { version: string; weight: number }[] } | undefined): Promise<void> {
    const loaded = new Set(routing?.versions.map((v) => v.version) ?? []);
    const gone = [...(this.versions.get(endpoint) ?? [])].filter((version) => !loaded.has(version));
    if (routing) {
      this.generation.set({ endpoint }, routing.generation);
      for (const v of routing.versions) this.weight.set({ endpoint, version: v.version }, v.weight);
      this.versions.set(endpoint, loaded);
    } else {
      this.generation.remove({ endpoint });
      this.versions.delete(endpoint);
    }
    if (gone.length > 0) await this.dropVersions(endpoint, new Set(gone));
  }

  /** Removes every series labelled with `endpoint` and one of `versions`, from every metric that has such labels. */
  private async dropVersions(endpoint: string, versions: ReadonlySet<string>): Promise<void> {
    const byVersion: { get(): Promise<{ values: { labels: LabelValues<string> }[] }>; remove(labels: LabelValues<string>): void }[] = [
      this.requests,
      this.clientAborts,
      this.nonFiniteOutputs,
      this.latency,
      this.batchSize,
      this.queueDepth,
      this.shadowComparisons,
      this.shadowMaxAbsDiff,
      this.weight,
    ];
    for (const metric of byVersion) {
      const labelSets = new Map<string, LabelValues<string>>();
      for (const { labels } of (await metric.get()).values) {
        // A histogram's buckets carry `le` too; its series is removed by its own labels.
        const { le: _bucket, ...own } = labels;
        if (own.endpoint === endpoint && versions.has(String(own.version))) labelSets.set(JSON.stringify(own), own);
      }
      for (const labels of labelSets.values()) metric.remove(labels);
    }
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
