/**
 * Errors and failure types: the `type` of every `ApplicationFailure` Modelship raises (the reason
 * codes in deployment results), and the errors the client throws (all {@link ModelshipClientError}).
 * Workflow-safe: imports only `names.ts`.
 */
import { endpointWorkflowId } from './names';

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
  ArtifactCorrupt: 'failure',
  InfrastructureError: 'failure',
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

/** A pipeline spec failed validation; `issues` lists each problem with its path. */
export class InvalidSpecError extends Error {
  override readonly name = 'InvalidSpecError';
  constructor(
    readonly source: string,
    readonly issues: readonly { path: string; message: string }[],
  ) {
    super(
      `invalid pipeline spec ${source}:\n` + issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n'),
    );
  }
}

/** What `ModelshipClient` and its handles throw when Temporal answered but refused or found nothing: catch them all with `instanceof`. */
export class ModelshipClientError extends Error {
  override readonly name: string = 'ModelshipClientError';
}

/** A deployment with this workflow id is already running. */
export class DeploymentAlreadyRunningError extends ModelshipClientError {
  override readonly name = 'DeploymentAlreadyRunningError';
  constructor(readonly workflowId: string) {
    super(`deployment ${workflowId} is already running; follow it with \`modelship status ${workflowId}\``);
  }
}

/** A control command (approve, abort, pause, resume, rollback) was refused; the message says why. */
export class ControlRejectedError extends ModelshipClientError {
  override readonly name = 'ControlRejectedError';
  constructor(
    readonly workflowId: string,
    readonly command: string,
    reason: string,
  ) {
    super(`${command} refused by ${workflowId}: ${reason}`);
  }
}

/** The endpoint refused the deployment (it is busy and the spec says `whenBusy: refuse`, or the spec is for another endpoint). */
export class DeploymentRefusedError extends ModelshipClientError {
  override readonly name = 'DeploymentRefusedError';
  constructor(
    readonly endpoint: string,
    reason: string,
  ) {
    super(reason);
  }
}

/** No endpoint workflow exists for this endpoint: nothing was deployed to it through Modelship. */
export class EndpointNotFoundError extends ModelshipClientError {
  override readonly name = 'EndpointNotFoundError';
  constructor(readonly endpoint: string) {
    super(`endpoint ${endpoint} has no endpoint workflow (${endpointWorkflowId(endpoint)}): nothing has been deployed to it with Modelship`);
  }
}

/** No deployment has this workflow id (or it was queued at an endpoint that will not start it). */
export class DeploymentNotFoundError extends ModelshipClientError {
  override readonly name = 'DeploymentNotFoundError';
  constructor(
    readonly workflowId: string,
    why?: string,
  ) {
    super(`no deployment ${workflowId}${why ? `: ${why}` : ''}`);
  }
}
