/** Typed reports produced by the stages, and the deployment's status and result. Pure zod. */
import { z } from 'zod';
import { modelArtifact, pickedArtifacts } from './artifact';
import { endpointName, sha256Digest, versionName } from './common';
import { ioSignature } from './tensor';
import { analysisVerdict } from './analysis';
import { behaviourDiff } from './behaviour';
import { storedSource } from './storedSource';
import { watchState } from './watch';
import { FAILURE_TYPES, OUTCOMES, PHASES, TARGETS } from '../constants';

export const runtimeInfo = z.object({
  ortVersion: z.string(),
  executionProvider: z.string(),
  intraOpThreads: z.number().int().nonnegative(),
});
export type RuntimeInfo = z.infer<typeof runtimeInfo>;

/** What a conversion produced: the fp32 ONNX model and the source framework's answers on golden inputs. */
export const conversionReport = z.object({
  artifact: modelArtifact,
  io: ioSignature,
  /** Golden inputs and the source model's outputs on them (tensor bundles in the store). */
  goldenDigest: sha256Digest,
  referenceDigest: sha256Digest,
  goldenCount: z.number().int().nonnegative(),
  /** What the golden inputs were: shapes and values per input, from the profile or default sizes (absent: the user's `.npz`). */
  goldenInputs: z.string().optional(),
  /** The labelled evaluation set (`validate.evaluation`), as a tensor bundle in the store. */
  evaluationDigest: sha256Digest.optional(),
  toolVersions: z.record(z.string(), z.string()),
});
export type ConversionReport = z.infer<typeof conversionReport>;

/** An error measure; `null` where it is infinite or NaN (JSON has neither). */
const errorMeasure = z.number().nullable();

export const outputParity = z.object({
  name: z.string(),
  shapeMatch: z.boolean(),
  dtypeMatch: z.boolean(),
  maxAbsError: errorMeasure,
  meanAbsError: errorMeasure,
  p99AbsError: errorMeasure,
  /** max |a-b| / max(|b|, tiny), over elements. */
  maxRelError: errorMeasure,
  /** Elements outside atol + rtol·|reference|. */
  violations: z.number().int().nonnegative(),
  nonFinite: z.number().int().nonnegative(),
  top1Agreement: z.number().min(0).max(1).optional(),
  /** The rule this output was judged by, and whether it held. */
  criterion: z.string(),
  passed: z.boolean(),
});
export type OutputParity = z.infer<typeof outputParity>;

export const ioChange = z.object({
  kind: z.enum(['missing-input', 'extra-input', 'missing-output', 'datatype', 'shape']),
  name: z.string(),
  stable: z.string().optional(),
  candidate: z.string().optional(),
});
export type IoChange = z.infer<typeof ioChange>;

export const validationReport = z.object({
  digest: sha256Digest,
  /** The optimization pass that made this candidate (`convert` for the base model). */
  pass: z.string(),
  io: ioSignature,
  loadMs: z.number().nonnegative(),
  runtime: runtimeInfo,
  structure: z.object({ irVersion: z.number(), opsets: z.record(z.string(), z.number()), nodes: z.number() }).optional(),
  smokeTest: z
    .object({
      outputs: z.array(z.object({ name: z.string(), shape: z.array(z.number().int()), nonFinite: z.number().int().nonnegative() })),
      /** The inputs it ran on: shapes and values per input, from the profile or default sizes. */
      inputs: z.string().optional(),
    })
    .optional(),
  ioContract: z
    .object({
      stableVersion: z.string(),
      breaking: z.array(ioChange),
      allowed: z.boolean(),
    })
    .optional(),
  parity: z.object({ outputs: z.array(outputParity), samples: z.number().int() }).optional(),
  accuracy: z
    .object({ metric: z.literal('accuracy'), value: z.number(), samples: z.number().int(), baseline: z.number().optional(), drop: z.number().optional() })
    .optional(),
  /** The fp32 candidate against the endpoint's stable version on the same replay inputs (the behaviour gate). */
  behaviour: behaviourDiff.optional(),
  passed: z.boolean(),
  /** Why it did not pass, one line each. */
  reasons: z.array(z.string()),
});
export type ValidationReport = z.infer<typeof validationReport>;

export const latencySummary = z.object({
  p50: z.number(),
  p90: z.number(),
  p95: z.number(),
  p99: z.number(),
  mean: z.number(),
  min: z.number(),
  max: z.number(),
});
export type LatencySummary = z.infer<typeof latencySummary>;

export const batchMeasurement = z.object({
  batchSize: z.number().int().positive(),
  latencyMs: latencySummary,
  /** Samples (batch items) per second. */
  throughputPerSec: z.number().nonnegative(),
  runs: z.number().int().nonnegative(),
  windows: z.number().int().nonnegative(),
  /** False when the budget ended before three windows agreed: do not trust the numbers. */
  stable: z.boolean(),
  /** A bounded sample of raw latencies, for the report's charts. */
  samplesMs: z.array(z.number()),
});
export type BatchMeasurement = z.infer<typeof batchMeasurement>;

/** A candidate's latency against the stable version's, from runs interleaved with it (first batch size). */
export const stableComparison = z.object({
  label: z.string(),
  digest: sha256Digest,
  batchSize: z.number().int().positive(),
  /** Runs compared, each model's (thinned evenly when there were more). */
  samples: z.number().int().nonnegative(),
  /** Median latency of the candidate and of the stable version over the compared runs. */
  candidateMedianMs: z.number(),
  stableMedianMs: z.number(),
  /** Candidate / stable median latency: the Hodges-Lehmann estimate on log latencies, and its confidence interval. */
  ratio: z.number(),
  ratioLow: z.number(),
  ratioHigh: z.number(),
  /** Confidence level of the interval. */
  confidence: z.number(),
});
export type StableComparison = z.infer<typeof stableComparison>;

export const candidateBenchmark = z.object({
  label: z.string(),
  digest: sha256Digest,
  runtime: runtimeInfo,
  sessionCreateMs: z.number().nonnegative(),
  firstInferenceMs: z.number().nonnegative(),
  peakRssMb: z.number().nonnegative(),
  batches: z.array(batchMeasurement),
  /**
   * An optimized copy's latency against the fp32 conversion of its target, from the same interleaved rounds
   * (first batch size; the `stable…` fields are the conversion's); absent for the conversion itself and in
   * reports of older workers.
   */
  vsConversion: stableComparison.optional(),
});
export type CandidateBenchmark = z.infer<typeof candidateBenchmark>;

/** The benchmark gate's decision on the serving pick against the stable version, with its numbers. */
export const benchmarkGate = z.object({
  candidate: z.string(),
  stable: z.string(),
  /** False when there was nothing to judge (the pick is the stable artifact); the verdict says why. */
  gated: z.boolean(),
  /** Slower than allowed, with confidence and by more than the absolute floor: the pick is refused. */
  regressed: z.boolean(),
  verdict: z.string(),
});
export type BenchmarkGate = z.infer<typeof benchmarkGate>;

export const benchmarkReport = z.object({
  target: z.enum(TARGETS),
  worker: z.string(),
  warmupRuns: z.number().int(),
  candidates: z.array(candidateBenchmark),
  /** The endpoint's stable version, measured in the same activity (interleaved with the candidates) for a fair ratio. */
  baseline: candidateBenchmark.optional(),
  /** Each candidate against the baseline; absent in reports of older workers (judged by the p50 ratio alone). */
  comparisons: z.array(stableComparison).optional(),
  /** The gate's decision on this target's pick, against the stable version as this target serves it (set when the picks are chosen). */
  gate: benchmarkGate.optional(),
});
export type BenchmarkReport = z.infer<typeof benchmarkReport>;

export const replicaApplied = z.object({
  replicaId: z.string(),
  url: z.string(),
  generation: z.number().int().nonnegative(),
});

export const releaseReport = z.object({
  endpoint: endpointName,
  generation: z.number().int().positive(),
  replicas: z.array(replicaApplied),
  waitedMs: z.number().nonnegative(),
  /** Epoch ms when every replica served this generation: where an analysis window starts. */
  appliedAt: z.number().optional(),
  /**
   * Replicas registered in the store whose heartbeats had stopped (a crashed or killed gateway):
   * the release went on without them. Absent when there were none, and in reports of older workers.
   */
  staleReplicas: z.array(z.object({ replicaId: z.string(), url: z.string(), lastHeartbeatAt: z.string() })).optional(),
});
export type ReleaseReport = z.infer<typeof releaseReport>;

/** One model the pipeline considered for a target, and what became of it. */
export const candidate = z.object({
  label: z.string(),
  target: z.enum(TARGETS),
  pass: z.string(),
  artifact: modelArtifact.optional(),
  parentDigest: sha256Digest.optional(),
  validation: validationReport.optional(),
  benchmark: candidateBenchmark.optional(),
  selected: z.boolean(),
  /** The pass did not apply to this model, and why (no artifact was made); absent when it ran, and in older results. */
  skipped: z.string().optional(),
  /** Why it was or was not selected. */
  verdict: z.string(),
});
export type Candidate = z.infer<typeof candidate>;

export const stageState = z.object({
  /** One of {@link STAGE_NAMES}, or a custom stage's name. */
  name: z.string(),
  status: z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped']),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  /** One line on what the stage did or why it stopped. */
  summary: z.string().optional(),
});
export type StageState = z.infer<typeof stageState>;

export const deploymentFailure = z.object({
  type: z.enum(FAILURE_TYPES),
  /** One of {@link STAGE_NAMES}, or a custom stage's name. */
  stage: z.string(),
  message: z.string(),
});
export type DeploymentFailure = z.infer<typeof deploymentFailure>;

export const rolloutStep = z.object({
  /** shadow: mirrored traffic; match: header-routed traffic; canary: a weighted step; smoke: requests routed to it by header; switch: all traffic (blue/green). */
  kind: z.enum(['shadow', 'match', 'canary', 'smoke', 'switch']),
  /** Canary share of traffic (shadow: share of traffic mirrored). */
  weight: z.number(),
  status: z.enum(['pending', 'running', 'passed', 'failed', 'skipped']),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  verdict: analysisVerdict.optional(),
  /** The verdict was recorded but not acted on. */
  dryRun: z.boolean(),
  approvedBy: z.string().optional(),
  note: z.string().optional(),
  /** Replicas whose heartbeats had stopped when the step's routing was applied or its window collected: the step went on without them. */
  staleReplicas: z.array(z.string()).optional(),
});
export type RolloutStep = z.infer<typeof rolloutStep>;

export const rolloutState = z.object({
  strategy: z.enum(['direct', 'canary', 'blueGreen']),
  state: z.enum(['starting', 'baking', 'awaiting-approval', 'paused', 'analyzing', 'promoting', 'rollback-window', 'watching', 'rolling-back', 'done']),
  stableVersion: z.string().optional(),
  weight: z.number(),
  steps: z.array(rolloutStep),
  /** The post-promotion watch, once it has started. */
  watch: watchState.optional(),
  rollback: z
    .object({
      reason: z.string(),
      generation: z.number().int(),
      /** Inference answers per version after the rollback, from every replica. */
      verified: z.record(z.string(), z.number()),
      /** Replicas that looked live but could not be reached by that check (killed since their last heartbeat): left out of `verified`. */
      unreachable: z.array(z.string()).optional(),
      /** Time from the decision to every replica serving stable. */
      tookMs: z.number(),
    })
    .optional(),
});
export type RolloutState = z.infer<typeof rolloutState>;

/** Where the deployment report is in the store. */
export const reportLocation = z.object({ json: z.string(), html: z.string(), uri: z.string() });
export type ReportLocation = z.infer<typeof reportLocation>;

/** A stage that failed for an infrastructure reason, waiting for an operator's `retry` or `abort`. */
export const retryWait = z.object({
  stage: z.string(),
  failure: deploymentFailure,
  /** When the wait began, and when it ends without a decision (ISO times). */
  since: z.string(),
  until: z.string(),
});
export type RetryWait = z.infer<typeof retryWait>;

/** An operator's decision on a waiting stage. */
export const retryDecision = z.object({
  action: z.enum(['retry', 'abort']),
  stage: z.string(),
  by: z.string(),
  reason: z.string().optional(),
  at: z.string(),
});
export type RetryDecisionRecord = z.infer<typeof retryDecision>;

/** What a running deployment answers to the `status` query. */
export const deploymentStatus = z.object({
  workflowId: z.string(),
  endpoint: endpointName,
  version: versionName,
  phase: z.enum(PHASES),
  stages: z.array(stageState),
  /** The source as stored (content-addressed), its format and, for a registry source, its lineage. */
  source: storedSource.optional(),
  conversion: conversionReport.optional(),
  candidates: z.array(candidate),
  /** The artifact CPU replicas serve (or would have): the cpu pick, or the fp32 conversion when the pipeline has no cpu target. */
  artifact: modelArtifact.optional(),
  /** The picks for the other targets (what GPU replicas serve); absent: `artifact` everywhere. */
  picks: pickedArtifacts.optional(),
  validation: validationReport.optional(),
  benchmarks: z.array(benchmarkReport),
  release: releaseReport.optional(),
  rollout: rolloutState.optional(),
  report: reportLocation.optional(),
  failure: deploymentFailure.optional(),
  /** Set while a failed stage waits for `retry` or `abort` (phase `WaitingForRetry`). */
  waiting: retryWait.optional(),
  /** Operators' decisions on failed stages, in order. */
  decisions: z.array(retryDecision).optional(),
});
export type DeploymentStatus = z.infer<typeof deploymentStatus>;

/** The deployment workflow's result: the final status plus its outcome. */
export const deploymentResult = deploymentStatus.extend({
  outcome: z.enum(OUTCOMES),
});
export type DeploymentResult = z.infer<typeof deploymentResult>;
