/** Prometheus metrics of a gateway replica (prom-client), labelled by endpoint and version. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'modelship_requests_total',
    help: 'Inference requests answered, by endpoint, version and HTTP status code.',
    labelNames: ['endpoint', 'version', 'code'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'modelship_request_duration_seconds',
    help: 'Inference request latency (decode, queue, model, encode), by endpoint and version.',
    labelNames: ['endpoint', 'version'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'modelship_batch_size',
    help: 'Rows per model run (1 without batching).',
    labelNames: ['endpoint', 'version'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'modelship_queue_depth',
    help: 'Requests waiting for a model run.',
    labelNames: ['endpoint', 'version'] as const,
    registers: [this.registry],
  });
  readonly shadowComparisons = new Counter({
    name: 'modelship_shadow_comparisons_total',
    help: 'Mirrored requests compared with the served answer, by result (agree, disagree, error).',
    labelNames: ['endpoint', 'version', 'result'] as const,
    registers: [this.registry],
  });
  readonly shadowMaxAbsDiff = new Gauge({
    name: 'modelship_shadow_max_abs_diff',
    help: 'Largest absolute output difference seen on the last mirrored request.',
    labelNames: ['endpoint', 'version'] as const,
    registers: [this.registry],
  });
  readonly generation = new Gauge({
    name: 'modelship_routing_generation',
    help: 'Routing generation this replica serves, by endpoint.',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'modelship_gateway_' });
  }
}
