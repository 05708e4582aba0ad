/**
 * Errors and failure types: the `type` of every `ApplicationFailure` Modelship raises (the reason
 * codes in deployment results), and the errors the client throws (all {@link ModelshipClientError}).
 * Workflow-safe: imports only `names.ts` (the failure types themselves live in `constants.ts`).
 */
import { endpointWorkflowId } from './names';

export { FAILURE_TYPES, REJECTION_TYPES, isFailureType, type FailureType } from './constants';

/** A pipeline spec failed validation; `issues` lists each problem with its path. */
export class InvalidSpecError extends Error {
  override readonly name = 'InvalidSpecError';
  constructor(
    readonly source: string,
    readonly issues: readonly { path: string; message: string }[],
  ) {
    super(`invalid pipeline spec ${source}:\n` + issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n'));
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

/** No worker answered for an endpoint, and its workflow has recorded no state the server could show (it has not run since it started). */
export class EndpointStateUnavailableError extends ModelshipClientError {
  override readonly name = 'EndpointStateUnavailableError';
  constructor(
    readonly endpoint: string,
    reason: string,
    readonly phase: string | undefined,
  ) {
    super(`endpoint ${endpoint}: ${reason}, and its workflow has recorded no state yet (phase ${phase ?? 'unknown'})`);
  }
}

/**
 * Modelship is not set up to run here: a setting is missing, or the Temporal namespace lacks what
 * Modelship needs and cannot be given it. `hint` says what to set or run.
 */
export class SetupError extends Error {
  override readonly name = 'SetupError';
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}
