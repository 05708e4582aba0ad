/**
 * The pipeline spec: what to deploy where, and how carefully. The single source of truth for the
 * YAML/JSON form, the `definePipeline` types and the workflow input. Pure zod.
 */
import { z } from 'zod';
import { modelFormat } from './artifact';
import { duration, endpointName, versionName } from './common';
import { servingConfig } from './serving';

export const PIPELINE_API_VERSION = 'modelship/v1';

/** Where the model comes from. */
export const modelSource = z.strictObject({
  /** Human-readable model name, shown in the UI (`ModelshipModel`); defaults to the endpoint name. */
  name: z.string().min(1).max(128).optional(),
  /**
   * A path (relative to the spec file), a `file://` URI, or an `s3://bucket/key` URI. It is read by
   * the CPU workers, so in production use `s3://` or a path every worker can see.
   */
  source: z.string().min(1),
  format: modelFormat.default('onnx'),
});

const stageTiming = {
  /** Longest one attempt of the stage may run. */
  timeout: duration.prefault('5m'),
};

export const validateStage = z.strictObject({
  /** Run one inference on synthetic inputs and require finite outputs. */
  smokeTest: z.boolean().default(true),
  ...stageTiming,
});

export const benchmarkStage = z.strictObject({
  enabled: z.boolean().default(true),
  /** Hardware to measure on; picks the task queue. */
  target: z.enum(['cpu']).default('cpu'),
  batchSize: z.number().int().min(1).max(4096).default(1),
  /** Discarded runs before measuring. */
  warmupRuns: z.number().int().min(0).max(10_000).default(10),
  /** Measured runs. */
  runs: z.number().int().min(1).max(100_000).default(100),
  ...stageTiming,
});

export const ingestStage = z.strictObject({ ...stageTiming });

export const stages = z.strictObject({
  ingest: ingestStage.prefault({}),
  validate: validateStage.prefault({}),
  benchmark: benchmarkStage.prefault({}),
});

/** Switch all traffic to the new version at once, once every gateway replica has loaded it. */
export const directRollout = z.strictObject({
  strategy: z.literal('direct'),
  /** How long to wait for every live replica to apply the new routing. */
  timeout: duration.prefault('2m'),
  /** Live gateway replicas required to call the release done. */
  minReplicas: z.number().int().min(0).max(1000).default(1),
});

export const rollout = z.discriminatedUnion('strategy', [directRollout]);

export const pipelineSpec = z.strictObject({
  apiVersion: z.literal(PIPELINE_API_VERSION).default(PIPELINE_API_VERSION),
  endpoint: endpointName,
  version: versionName,
  model: modelSource,
  stages: stages.prefault({}),
  rollout: rollout.prefault({ strategy: 'direct' }),
  /** How gateways serve this version: concurrency, queue limits, dynamic batching (off by default). */
  serving: servingConfig.prefault({}),
  /**
   * Longest a stage may wait for a worker to pick it up. A stage whose task queue has no worker
   * fails with this timeout instead of hanging.
   */
  scheduleToStartTimeout: duration.prefault('2m'),
});

/** A pipeline spec as written by a user (defaults optional). */
export type PipelineSpecInput = z.input<typeof pipelineSpec>;
/** A parsed pipeline spec: every default filled in, durations in milliseconds. */
export type PipelineSpec = z.output<typeof pipelineSpec>;
