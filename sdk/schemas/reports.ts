/** Typed reports produced by the stages, and the deployment's status and result. Pure zod. */
import { z } from 'zod';
import { modelArtifact } from './artifact';
import { endpointName, sha256Digest, versionName } from './common';
import { ioSignature } from './tensor';
import { FAILURE_TYPES } from '../errors';

export const runtimeInfo = z.object({
  ortVersion: z.string(),
  executionProvider: z.string(),
  intraOpThreads: z.number().int().nonnegative(),
});
export type RuntimeInfo = z.infer<typeof runtimeInfo>;

export const validationReport = z.object({
  digest: sha256Digest,
  io: ioSignature,
  loadMs: z.number().nonnegative(),
  runtime: runtimeInfo,
  smokeTest: z
    .object({
      outputs: z.array(
        z.object({ name: z.string(), shape: z.array(z.number().int()), nonFinite: z.number().int().nonnegative() }),
      ),
    })
    .optional(),
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

export const benchmarkReport = z.object({
  digest: sha256Digest,
  target: z.enum(['cpu', 'gpu']),
  runtime: runtimeInfo,
  batchSize: z.number().int().positive(),
  warmupRuns: z.number().int().nonnegative(),
  runs: z.number().int().positive(),
  sessionCreateMs: z.number().nonnegative(),
  firstInferenceMs: z.number().nonnegative(),
  latencyMs: latencySummary,
  /** Samples (batch items) per second over the measured runs. */
  throughputPerSec: z.number().nonnegative(),
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
});
export type ReleaseReport = z.infer<typeof releaseReport>;

export const STAGE_NAMES = ['ingest', 'validate', 'benchmark', 'release'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export const stageState = z.object({
  name: z.enum(STAGE_NAMES),
  status: z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped']),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  /** One line on what the stage did or why it stopped. */
  summary: z.string().optional(),
});
export type StageState = z.infer<typeof stageState>;

/** Values of the `ModelshipPhase` search attribute. */
export const PHASES = [
  'Pending',
  'Ingesting',
  'Validating',
  'Benchmarking',
  'Releasing',
  'Promoted',
  'Rejected',
  'Failed',
] as const;
export type Phase = (typeof PHASES)[number];

export const OUTCOMES = ['promoted', 'rejected', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const deploymentFailure = z.object({
  type: z.enum(FAILURE_TYPES),
  stage: z.enum(STAGE_NAMES),
  message: z.string(),
});
export type DeploymentFailure = z.infer<typeof deploymentFailure>;

/** What a running deployment answers to the `status` query. */
export const deploymentStatus = z.object({
  workflowId: z.string(),
  endpoint: endpointName,
  version: versionName,
  phase: z.enum(PHASES),
  stages: z.array(stageState),
  artifact: modelArtifact.optional(),
  validation: validationReport.optional(),
  benchmark: benchmarkReport.optional(),
  release: releaseReport.optional(),
  failure: deploymentFailure.optional(),
});
export type DeploymentStatus = z.infer<typeof deploymentStatus>;

/** The deployment workflow's result: the final status plus its outcome. */
export const deploymentResult = deploymentStatus.extend({
  outcome: z.enum(OUTCOMES),
});
export type DeploymentResult = z.infer<typeof deploymentResult>;
