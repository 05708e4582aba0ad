/**
 * The pipeline spec: what to deploy where, and how carefully. The single source of truth for the
 * YAML/JSON form, the `definePipeline` types and the workflow input. Pure zod.
 */
import { z } from 'zod';
import { duration, endpointName, versionName } from './common';
import { servingConfig } from './serving';
import { analysisConfig } from './analysis';
import { tensorSpec } from './tensor';

export const PIPELINE_API_VERSION = 'modelship/v1';

export const SOURCE_FORMATS = ['onnx', 'pytorch', 'sklearn'] as const;
export const TARGETS = ['cpu', 'gpu'] as const;
export type Target = (typeof TARGETS)[number];
export const OPTIMIZATION_PASSES = ['graph', 'int8', 'fp16'] as const;
export type OptimizationPass = (typeof OPTIMIZATION_PASSES)[number];

/** Where the model comes from, and what it is. */
export const modelSource = z
  .strictObject({
    /** Human-readable model name, shown in the UI (`ModelshipModel`); defaults to the endpoint name. */
    name: z.string().min(1).max(128).optional(),
    /**
     * A path (relative to the spec file), a `file://` URI, or an `s3://bucket/key` URI. PyTorch: a
     * `torch.export` archive (`.pt2`) or TorchScript (`.pt`); scikit-learn: a pickle; or ONNX.
     */
    source: z.string().min(1),
    format: z.enum(SOURCE_FORMATS).default('onnx'),
    /** The model's inputs (required for PyTorch and scikit-learn; read from the model for ONNX). */
    inputs: z.array(tensorSpec).min(1).optional(),
    /** Output names for a TorchScript export. */
    outputNames: z.array(z.string().min(1)).optional(),
    /** What the model does: decides how optimized copies are judged (top-1 agreement for classifiers). */
    task: z.enum(['classifier', 'regressor', 'other']).default('other'),
    /** The classifier's score output (default: the first float output of rank 2 with more than one column). */
    scoreOutput: z.string().optional(),
  })
  .superRefine((model, ctx) => {
    if (model.format !== 'onnx' && !model.inputs) {
      ctx.addIssue({ code: 'custom', path: ['inputs'], message: `a ${model.format} model needs its inputs declared (name, datatype, shape)` });
    }
  });

const stageTiming = (timeout: string) => ({
  /** Longest one attempt of the stage may run. */
  timeout: duration.prefault(timeout),
});

export const ingestStage = z.strictObject({ ...stageTiming('5m') });

export const convertStage = z.strictObject({
  opset: z.number().int().min(7).max(26).default(17),
  /** Inputs the source and every converted copy are compared on. */
  golden: z
    .strictObject({
      /** An `.npz` file with one array per input name; otherwise inputs are sampled from the declared spec. */
      source: z.string().optional(),
      samples: z.number().int().min(1).max(100_000).default(64),
      seed: z.number().int().min(0).default(0),
    })
    .prefault({}),
  ...stageTiming('10m'),
});

const passList = z.array(z.enum(OPTIMIZATION_PASSES));

export const optimizeStage = z.strictObject({
  enabled: z.boolean().default(true),
  /** Passes tried per target; each makes a candidate from the converted model. */
  passes: z
    .strictObject({
      cpu: passList.default(['graph', 'int8']),
      gpu: passList.default(['graph', 'fp16']),
    })
    .prefault({}),
  ...stageTiming('10m'),
});

const tolerance = z.strictObject({ atol: z.number().nonnegative(), rtol: z.number().nonnegative() });

export const validateStage = z.strictObject({
  /** Run one inference on synthetic inputs and require finite outputs. */
  smokeTest: z.boolean().default(true),
  /** Per-output tolerance overrides for conversion and graph-optimization parity. */
  tolerances: z.record(z.string(), tolerance).default({}),
  /** int8 copies of classifiers must agree on top-1 with the fp32 model at least this often. */
  int8MinAgreement: z.number().min(0).max(1).default(0.99),
  /** A labelled evaluation set: accuracy of each candidate, and the largest drop allowed versus fp32. */
  evaluation: z
    .strictObject({
      /** An `.npz` file with one array per input name plus the labels. */
      source: z.string().min(1),
      labels: z.string().default('labels'),
      maxAccuracyDrop: z.number().min(0).max(1).default(0.01),
    })
    .optional(),
  /** Accept a change of input/output names, types or shapes versus the endpoint's stable version. */
  allowBreakingChanges: z.boolean().default(false),
  ...stageTiming('10m'),
});

export const benchmarkStage = z.strictObject({
  enabled: z.boolean().default(true),
  batchSizes: z.array(z.number().int().min(1).max(4096)).min(1).default([1]),
  /** Discarded runs before measuring (at least 10). */
  warmupRuns: z.number().int().min(10).max(10_000).default(10),
  /** Runs per measurement window; windows repeat until the last three agree. */
  windowRuns: z.number().int().min(5).max(100_000).default(50),
  /** Last three windows must agree within this fraction (throughput and p99). */
  stabilityTolerance: z.number().min(0).max(1).default(0.1),
  /** Time budget per candidate and batch size; past it the result is marked unstable. */
  budget: duration.prefault('20s'),
  /** An optimized copy replaces the fp32 model only if at least this many percent faster (p50). */
  minSpeedupPercent: z.number().min(0).max(100).default(5),
  /** Reject a candidate more than this many percent slower (p50) than the endpoint's stable version. */
  maxRegressionPercent: z.number().min(0).max(1000).default(10),
  ...stageTiming('15m'),
});

export const stages = z.strictObject({
  ingest: ingestStage.prefault({}),
  convert: convertStage.prefault({}),
  optimize: optimizeStage.prefault({}),
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

export const canaryStep = z.strictObject({
  /** Share of traffic the canary takes during this step. */
  weight: z.number().int().min(1).max(100),
  /** How long the step runs before it is judged. */
  bake: duration.prefault('1m'),
  analysis: z.boolean().default(true),
  /** Record the verdict but do not act on a failure. */
  dryRun: z.boolean().default(false),
  /** Wait for `modelship approve` before leaving this step; on timeout, `onTimeout`. */
  approval: z
    .strictObject({ timeout: duration.prefault('1h'), onTimeout: z.enum(['proceed', 'rollback']).default('rollback') })
    .optional(),
});

/**
 * Shift traffic to the new version in steps, each judged against the stable version by statistics;
 * any failed step (or an abort) returns all traffic to stable. An optional shadow phase first mirrors
 * traffic to the new version and compares its answers, serving none of them.
 */
export const canaryRollout = z.strictObject({
  strategy: z.literal('canary'),
  shadow: z.strictObject({ percent: z.number().min(1).max(100).default(100), bake: duration.prefault('1m') }).optional(),
  steps: z.array(canaryStep).min(1).prefault([{ weight: 5 }, { weight: 25 }, { weight: 50 }]),
  analysis: analysisConfig.prefault({}),
  /** Times a step's bake is extended when its window holds too little traffic, before rolling back. */
  maxBakeExtensions: z.number().int().min(0).max(100).default(3),
  /** How long to wait for every live replica to apply a routing change. */
  timeout: duration.prefault('2m'),
  minReplicas: z.number().int().min(0).max(1000).default(1),
});

export const rollout = z.discriminatedUnion('strategy', [directRollout, canaryRollout]);

export const pipelineSpec = z.strictObject({
  apiVersion: z.literal(PIPELINE_API_VERSION).default(PIPELINE_API_VERSION),
  endpoint: endpointName,
  version: versionName,
  model: modelSource,
  /** Hardware to optimize and benchmark for; the gateway serves the `cpu` pick (or the first target's). */
  targets: z.array(z.enum(TARGETS)).min(1).default(['cpu']),
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
