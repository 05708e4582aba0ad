/**
 * The pipeline spec: what to deploy where, and how carefully. The single source of truth for the
 * YAML/JSON form, the `definePipeline` types and the workflow input. Pure zod.
 */
import { z } from 'zod';
import { duration, endpointName, versionName } from './common';
import { modelSourceLocation } from './sourceLocation';
import { benchmarkStage, convertStage, ingestStage, optimizeStage, validateStage } from './stageSettings';
import { servingConfig } from './serving';
import { analysisConfig } from './analysis';
import { tensorSpec } from './tensor';
import { inputProfile } from './inputProfile';
import { monitoring } from './driftMonitoring';
import { notificationsConfig } from './notification';
import { directWatchConfig, watchConfig } from './watch';
import { TARGETS } from '../constants';

export const PIPELINE_API_VERSION = 'modelship/v1';

export const SOURCE_FORMATS = ['onnx', 'pytorch', 'sklearn', 'xgboost', 'lightgbm'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/** Where the model comes from, and what it is. */
export const modelSource = z
  .strictObject({
    /** Human-readable model name, shown in the UI (`ModelshipModel`); defaults to the endpoint name. */
    name: z.string().min(1).max(128).optional(),
    /**
     * A path (relative to the spec file, or to `baseDir` in `client.deploy()`), a `file://` URI, an
     * `s3://bucket/key` URI, `store:sources/<sha256><ext>` (a source already uploaded to the
     * workers' store, read from there and checked against its digest), or an MLflow Model Registry
     * version: `models:/<name>/<version>` or `models:/<name>@<alias>`, resolved against the worker's
     * `MLFLOW_TRACKING_URI` (with `MLFLOW_TRACKING_TOKEN` or `MLFLOW_TRACKING_USERNAME`/`PASSWORD`),
     * its `MLmodel` file deciding the format; the registry version, alias and run are recorded in the
     * result. PyTorch: a `torch.export` archive (`.pt2`) or TorchScript (`.pt`);
     * scikit-learn: a pickle; XGBoost: a saved model (`.json`, `.ubj`); LightGBM: a model text file; or ONNX. A local file is uploaded to the artifact store
     * (`sources/<sha256><ext>`) by `modelship deploy` and `client.deploy()` before the deployment
     * starts, so workers need not see the deploying machine's files; the workflow then names it
     * `store:sources/<sha256><ext>`. Workers read `s3://` sources only from their allowed buckets
     * (`MODELSHIP_SOURCE_BUCKETS`), and only a regular file. Or an artifact this endpoint already
     * served: `version:<version-or-alias>` or `digest:sha256:<hex>` re-releases it without
     * ingest, conversion, optimization and validation (recorded as skipped); the benchmark gate and
     * the rollout still run.
     */
    source: modelSourceLocation,
    /** Largest source to read, in bytes (refused above it); the worker's own ceiling (`MODELSHIP_MAX_SOURCE_BYTES`, default 4 GiB) applies too. */
    maxSourceBytes: z.number().int().positive().optional(),
    /**
     * What `source` holds: an ONNX model, a PyTorch export (`.pt2` or TorchScript `.pt`), a scikit-learn
     * pickle or skops archive, an XGBoost or a LightGBM model. Unset: read from the file (a skops archive
     * or a pickle is scikit-learn, any other zip PyTorch, XGBoost's JSON/UBJSON and LightGBM's text are
     * theirs, anything else ONNX), or for a registry source from its `MLmodel` flavours.
     */
    format: z.enum(SOURCE_FORMATS).optional(),
    /** The model's inputs (required for PyTorch, scikit-learn, XGBoost and LightGBM; read from the model for ONNX). */
    inputs: z.array(tensorSpec).min(1).optional(),
    /** Output names for a TorchScript export. */
    outputNames: z.array(z.string().min(1)).optional(),
    /** What the model does: decides how optimized copies are judged (top-1 agreement for classifiers). */
    task: z.enum(['classifier', 'regressor', 'other']).default('other'),
    /** The classifier's score output (default: the first float output of rank 2 with more than one column). */
    scoreOutput: z.string().optional(),
    /**
     * The inputs production sends: concrete shapes for dynamic axes (typical, min, max), value ranges,
     * constants, a sample set. Every gate uses them; without a profile, fixed dims come from the model,
     * a dynamic batch axis is the batch asked and any other dynamic axis 16.
     */
    profile: inputProfile.optional(),
  })
  .superRefine((model, ctx) => {
    if (model.format !== undefined && model.format !== 'onnx' && !model.inputs) {
      ctx.addIssue({ code: 'custom', path: ['inputs'], message: `a ${model.format} model needs its inputs declared (name, datatype, shape)` });
    }
  });

export const stages = z.strictObject({
  /** Copy the model source into the content-addressed artifact store. */
  ingest: ingestStage.prefault({}),
  /** Convert the source to ONNX with its framework's exporter, and record the source's outputs on golden inputs. */
  convert: convertStage.prefault({}),
  /** Make optimized copies (candidates) of the converted model, per target. */
  optimize: optimizeStage.prefault({}),
  /** Check every candidate: structure, the endpoint's IO contract, parity with the source, accuracy, behaviour against the stable version. */
  validate: validateStage.prefault({}),
  /** Measure the candidates that passed on each target's workers, and gate the pick against the stable version. */
  benchmark: benchmarkStage.prefault({}),
});

/** Switch all traffic to the new version at once, once every gateway replica has loaded it. */
export const directRollout = z.strictObject({
  /** Switch all traffic to the new version at once, once every gateway replica has loaded it. */
  strategy: z.literal('direct'),
  /** How long to wait for every live replica to apply the new routing. */
  timeout: duration.prefault('2m'),
  /** Live gateway replicas required to call the release done. */
  minReplicas: z.number().int().min(0).max(1000).default(1),
  /** After the switch, keep the previous version loaded (weight 0) and judge the new one for a while; off unless given. */
  watch: directWatchConfig.optional(),
});

export const canaryStep = z.strictObject({
  /** Share of traffic the canary takes during this step. */
  weight: z.number().int().min(1).max(100),
  /** How long the step runs before it is judged. */
  bake: duration.prefault('1m'),
  /** Judge the step against the stable version when its bake ends; off: the step only bakes. */
  analysis: z.boolean().default(true),
  /** Record the verdict but do not act on a failure. */
  dryRun: z.boolean().default(false),
  /** Wait for `modelship approve` before leaving this step; on timeout, `onTimeout`. */
  approval: z.strictObject({ timeout: duration.prefault('1h'), onTimeout: z.enum(['proceed', 'rollback']).default('rollback') }).optional(),
});

/**
 * Shift traffic to the new version in steps, each judged against the stable version by statistics;
 * any failed step (or an abort) returns all traffic to stable. An optional shadow phase first mirrors
 * traffic to the new version and compares its answers, serving none of them.
 */
export const canaryRollout = z.strictObject({
  /** Shift traffic to the new version in steps, each judged against the stable version. */
  strategy: z.literal('canary'),
  /**
   * First mirror `percent` of the traffic to the new version for `bake` and compare its answers with
   * the served ones; none of its answers is served.
   */
  shadow: z.strictObject({ percent: z.number().min(1).max(100).default(100), bake: duration.prefault('1m') }).optional(),
  /**
   * After the shadow phase and before the weighted steps: only requests carrying `header` (equal to
   * `value`, if given) reach the canary — internal testers, a synthetic-traffic job — judged like a step.
   */
  headerMatch: z
    .strictObject({
      header: z.string().regex(/^[A-Za-z0-9-]+$/, 'an HTTP header name'),
      value: z.string().optional(),
      bake: duration.prefault('1m'),
      analysis: z.boolean().default(true),
    })
    .optional(),
  /** The weighted steps, in order. */
  steps: z
    .array(canaryStep)
    .min(1)
    .prefault([{ weight: 5 }, { weight: 25 }, { weight: 50 }]),
  /** Thresholds each step is judged by. */
  analysis: analysisConfig.prefault({}),
  /** Times a step's bake is extended when its window holds too little traffic, before rolling back. */
  maxBakeExtensions: z.number().int().min(0).max(100).default(3),
  /** How long to wait for every live replica to apply a routing change. */
  timeout: duration.prefault('2m'),
  minReplicas: z.number().int().min(0).max(1000).default(1),
  /** After the last step, all traffic to the new version with the previous one kept loaded (weight 0) and judged against for `duration`; `duration: 0` skips it. Default: 2 m judged every 30 s, off when no step is analysed. */
  watch: watchConfig.optional(),
});

/**
 * Blue/green: the new (green) version is previewed — by a shadow phase judged like a canary step, or
 * by smoke requests routed to it by a header — then takes all traffic at once. The previous (blue)
 * version stays loaded on every replica for `rollbackWindow`, so an abort (`modelship abort`) in
 * that window switches back without loading anything.
 */
export const blueGreenRollout = z.strictObject({
  strategy: z.literal('blueGreen'),
  preview: z
    .discriminatedUnion('mode', [
      z.strictObject({ mode: z.literal('shadow'), percent: z.number().min(1).max(100).default(100), bake: duration.prefault('1m') }),
      z.strictObject({ mode: z.literal('smoke'), requestsPerReplica: z.number().int().min(1).max(1000).default(20) }),
    ])
    .prefault({ mode: 'shadow' }),
  analysis: analysisConfig.prefault({}),
  maxBakeExtensions: z.number().int().min(0).max(100).default(3),
  /** How long blue stays loaded (weight 0) after the switch; 0 unloads it at once. The watch's `duration` when `watch` is not given. */
  rollbackWindow: duration.prefault('5m'),
  /** The watch's `interval` when `watch` is not given: green is judged this often during the rollback window. */
  analysisInterval: duration.prefault('30s'),
  /** The watch after the switch (blue loaded at weight 0, green judged against it); when given, it replaces `rollbackWindow` and `analysisInterval`. */
  watch: watchConfig.optional(),
  timeout: duration.prefault('2m'),
  minReplicas: z.number().int().min(0).max(1000).default(1),
});

/**
 * What a deployment does when a stage fails for an infrastructure reason (the store down, no worker
 * polling its queue, a tool that crashed) after its activity retries: wait for an operator's
 * `retry` or `abort` (`wait`), or fail at once (`fail`, for CI jobs that prefer to fail fast). A
 * refused model never waits. The strings `'wait'` and `'fail'` stand for those actions with the defaults.
 */
const infrastructureFailureSettings = z.strictObject({
  /** `wait`: the deployment waits (phase `WaitingForRetry`) for `retry` or `abort`; `fail`: it fails at once. */
  action: z.enum(['wait', 'fail']).default('wait'),
  /** How long a failed stage waits for a decision; then the deployment fails, saying nobody retried within that time. */
  waitUpTo: duration.prefault('24h'),
  /** Attempts of each stage activity (its retry budget, backing off from 1 s to 30 s) before the stage counts as failed. */
  attempts: z.number().int().min(1).max(100).default(8),
});

export const infrastructureFailurePolicy = z
  .union([z.enum(['wait', 'fail']), infrastructureFailureSettings])
  .transform((value) => (typeof value === 'string' ? infrastructureFailureSettings.parse({ action: value }) : value));
export type InfrastructureFailurePolicy = z.output<typeof infrastructureFailurePolicy>;

export const rollout = z.discriminatedUnion('strategy', [directRollout, canaryRollout, blueGreenRollout]);

export const pipelineSpec = z.strictObject({
  /** Version of the spec format. */
  apiVersion: z.literal(PIPELINE_API_VERSION).default(PIPELINE_API_VERSION),
  /** The endpoint to deploy to: a DNS label, used unchanged in URLs (`/v2/models/<endpoint>`), workflow ids and metric labels. */
  endpoint: endpointName,
  /** What this deployment calls the model build (`v3`, `2026-11-21.1`, a git sha); the workflow id is `deploy/<endpoint>/<version>`. */
  version: versionName,
  /** Where the model comes from, and what it is. */
  model: modelSource,
  /** Hardware to optimize and benchmark for; each target's pick serves on its replicas (`modelship serve --target`): CPU replicas serve the `cpu` pick (without a `cpu` target: the fp32 conversion), GPU replicas the `gpu` pick. */
  targets: z.array(z.enum(TARGETS)).min(1).default(['cpu']),
  /** Settings of the pipeline's stages, each with defaults. */
  stages: stages.prefault({}),
  /** How the new version takes traffic; `strategy` decides which other fields apply. */
  rollout: rollout.prefault({ strategy: 'direct' }),
  /** How gateways serve this version: concurrency, queue limits, dynamic batching (off by default). */
  serving: servingConfig.prefault({}),
  /**
   * Longest a stage may wait for a worker to pick it up. A stage whose task queue has no worker
   * fails with this timeout instead of hanging.
   */
  scheduleToStartTimeout: duration.prefault('2m'),
  /**
   * What the endpoint does with this deployment while another one is in progress: wait its turn
   * (`queue`), or refuse it at once (`refuse`, for CI jobs that should fail fast).
   */
  whenBusy: z.enum(['queue', 'refuse']).default('queue'),
  /**
   * A stage that fails for an infrastructure reason after its retries: wait for an operator's
   * `retry` or `abort` (default, up to 24 h), or fail at once (`'fail'`).
   */
  onInfrastructureFailure: infrastructureFailurePolicy.prefault({}),
  /** What is watched once the version serves: drift of its inputs and predictions (`drift`), on a schedule. */
  monitoring: monitoring.optional(),
  /** Webhooks told when the deployment is rejected, rolled back, promoted or waits for approval (the worker's own webhooks are told too). */
  notifications: notificationsConfig.optional(),
});

/** A pipeline spec as written by a user (defaults optional). */
export type PipelineSpecInput = z.input<typeof pipelineSpec>;
/** A parsed pipeline spec: every default filled in, durations in milliseconds. */
export type PipelineSpec = z.output<typeof pipelineSpec>;
