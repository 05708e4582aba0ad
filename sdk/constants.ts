/**
 * Modelship's fixed vocabularies, as plain `as const` lists and their types: the built-in stages and
 * the phase each one reports, the phases (`ModelshipPhase` values), deployment outcomes, targets and
 * the task queue of each, and the failure types. The zod schemas build their enums from these lists;
 * workflow code imports them from here directly.
 *
 * Workflow-safe: no zod, no Node modules, no imports at all.
 *
 * @example
 * import { STAGE_PHASES, isOutcome } from 'modelship/schemas';
 *
 * STAGE_PHASES.convert; // 'Converting'
 * isOutcome(result.outcome); // true for 'promoted' | 'rejected' | 'rolledBack' | 'failed'
 */
/**
 * Every failure type, and what it means: `rejection`, the model was refused; `failure`, something
 * broke. One table, so a new type cannot be listed without saying which it is.
 */
const FAILURE_KINDS = {
  InvalidSpec: 'failure',
  ModelSourceUnreadable: 'rejection',
  ModelUnloadable: 'rejection',
  ModelConversionFailed: 'rejection',
  InvalidGoldenInputs: 'rejection',
  InvalidDataset: 'rejection',
  ModelValidationFailed: 'rejection',
  IoContractBroken: 'rejection',
  /** The candidate answers the replay inputs differently from the stable version, and the change was not accepted. */
  BehaviourChanged: 'rejection',
  OptimizationFailed: 'rejection',
  NoGpuExecutionProvider: 'rejection',
  BenchmarkRegressed: 'rejection',
  BenchmarkFailed: 'rejection',
  ReleaseTimedOut: 'failure',
  CanaryRegressed: 'failure',
  AnalysisInconclusive: 'failure',
  RolloutAborted: 'failure',
  ApprovalTimedOut: 'failure',
  SmokeTestFailed: 'failure',
  ReplicaLoadFailed: 'failure',
  /** An endpoint's `serving.pool` matched no live gateway replica, so its routing was not changed. */
  NoReplicaInPool: 'failure',
  ArtifactCorrupt: 'failure',
  InfrastructureError: 'failure',
  /** An operator aborted the deployment while a failed stage waited for a retry. */
  Aborted: 'failure',
  /** A run of a deployment reset after its endpoint had recorded it and moved on: it changes no routing (deploy again). */
  StaleRun: 'failure',
  /** A team's own stage (e.g. a fairness check) refused the model: a non-retryable failure of its activity. */
  CustomCheckFailed: 'rejection',
} as const satisfies Record<string, 'rejection' | 'failure'>;

/** Why a deployment did not reach production, as a literal union (also the failure `type`). */
export type FailureType = keyof typeof FAILURE_KINDS;

/** Every {@link FailureType}, in a stable order. */
export const FAILURE_TYPES = Object.keys(FAILURE_KINDS) as [FailureType, ...FailureType[]];

/** Failure types that mean "the model was refused", as opposed to "something broke". */
export const REJECTION_TYPES: ReadonlySet<FailureType> = new Set(FAILURE_TYPES.filter((type) => FAILURE_KINDS[type] === 'rejection'));

export function isFailureType(value: unknown): value is FailureType {
  return typeof value === 'string' && Object.hasOwn(FAILURE_KINDS, value);
}

/** The built-in stages of a deployment, in the order they run. */
export const STAGE_NAMES = ['ingest', 'convert', 'optimize', 'validate', 'benchmark', 'release'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** Whether `name` is a built-in stage (and not a team's custom stage). */
export function isStageName(name: string): name is StageName {
  return (STAGE_NAMES as readonly string[]).includes(name);
}

/** Values of the `ModelshipPhase` search attribute. */
export const PHASES = [
  'Pending',
  'Canary',
  'RolledBack',
  'Ingesting',
  'Converting',
  'Optimizing',
  'Validating',
  'Benchmarking',
  'Releasing',
  'Promoted',
  'Rejected',
  'Failed',
  /** Waiting for the endpoint's current rollout to finish. */
  'Queued',
  'BlueGreen',
  /** Endpoint workflow phases. */
  'Idle',
  'Deploying',
  'RollingBack',
  /** A stage failed for an infrastructure reason; the deployment waits for an operator's `retry` or `abort`. */
  'WaitingForRetry',
] as const;
export type Phase = (typeof PHASES)[number];

/** The phase a deployment reports while a built-in stage runs. */
export const STAGE_PHASES = {
  ingest: 'Ingesting',
  convert: 'Converting',
  optimize: 'Optimizing',
  validate: 'Validating',
  benchmark: 'Benchmarking',
  release: 'Releasing',
} as const satisfies Record<StageName, Phase>;

/** How a deployment ended. */
export const OUTCOMES = ['promoted', 'rejected', 'rolledBack', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Whether `value` is a deployment outcome. */
export function isOutcome(value: unknown): value is Outcome {
  return typeof value === 'string' && (OUTCOMES as readonly string[]).includes(value);
}

/** The hardware a stage runs on; it picks the stage's activity task queue. */
export const TARGETS = ['cpu', 'gpu'] as const;
export type Target = (typeof TARGETS)[number];

/** Task queue polled by workflow workers. */
export const WORKFLOW_TASK_QUEUE = 'modelship';

/** Task queues polled by activity workers, by the hardware a stage targets. */
export const ACTIVITY_TASK_QUEUES = {
  cpu: 'modelship-cpu',
  gpu: 'modelship-gpu',
} as const satisfies Record<Target, string>;
