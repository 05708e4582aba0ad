/**
 * Errors and failure types: the `type` of every `ApplicationFailure` Modelship raises (the reason
 * codes in deployment results), and the errors Modelship throws — all a {@link ModelshipError}, so
 * one `instanceof` catches them; the subclasses say what kind (connection, not found, refused,
 * invalid spec, deployment failed or terminated, setup, a taken port). Workflow-safe: imports only `names.ts` (the failure
 * types themselves live in `constants.ts`).
 */
import { endpointWorkflowId } from './names';

export { FAILURE_TYPES, REJECTION_TYPES, isFailureType, type FailureType } from './constants';

/** The base of every error Modelship throws: catch them all with `instanceof ModelshipError`. */
export class ModelshipError extends Error {
  override readonly name: string = 'ModelshipError';
}

/** A pipeline spec failed validation; `issues` lists each problem with its path. */
export class InvalidSpecError extends ModelshipError {
  override readonly name = 'InvalidSpecError';
  constructor(
    readonly source: string,
    readonly issues: readonly { path: string; message: string }[],
  ) {
    super(`invalid pipeline spec ${source}:\n` + issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n'));
  }
}

/** What `ModelshipClient` and its handles throw (kept as the name of the client's errors; each is a {@link ModelshipError}). */
export class ModelshipClientError extends ModelshipError {
  override readonly name: string = 'ModelshipClientError';
}

/** What to do when Temporal cannot be reached (in the API's terms; the CLI adds its flag). */
export const TEMPORAL_UNREACHABLE_HINT =
  'start a local one with `npx modelship dev`, or point to yours with TEMPORAL_ADDRESS (or the `address` connection option)';

/** Temporal could not be reached at `address`; the message says what to do. */
export class TemporalConnectionError extends ModelshipClientError {
  override readonly name = 'TemporalConnectionError';
  constructor(
    readonly address: string,
    readonly reason: string,
  ) {
    super(`could not reach Temporal at ${address} (${reason}): ${TEMPORAL_UNREACHABLE_HINT}`);
  }
}

/**
 * Temporal was reached but refused this client: the credentials (`UNAUTHENTICATED`), their
 * permissions (`PERMISSION_DENIED`) or the namespace (`NOT_FOUND`); the message says which and what to check.
 */
export class TemporalAccessError extends ModelshipClientError {
  override readonly name = 'TemporalAccessError';
  constructor(
    readonly address: string,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** A call on a `ModelshipClient` (or a handle it returned) after, or while, the client was closed. */
export class ClientClosedError extends ModelshipClientError {
  override readonly name = 'ClientClosedError';
  constructor(what?: string) {
    super(`the Modelship client is closed${what ? `: ${what} was not done` : ''}; connect a new one with ModelshipClient.connect()`);
  }
}

/** What was asked for does not exist: {@link EndpointNotFoundError}, {@link DeploymentNotFoundError}. */
export class NotFoundError extends ModelshipClientError {
  override readonly name: string = 'NotFoundError';
}

/** A deployment with this workflow id is already running. */
export class DeploymentAlreadyRunningError extends ModelshipClientError {
  override readonly name = 'DeploymentAlreadyRunningError';
  constructor(readonly workflowId: string) {
    super(`deployment ${workflowId} is already running; follow it with client.deployment('${workflowId}')`);
  }
}

/** A control command (approve, abort, pause, resume, rollback, cancel) was refused; the message says why. */
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

/**
 * The deployment was refused: the endpoint is busy and the spec says `whenBusy: refuse`, the spec is
 * for another endpoint, no worker polls the task queue of its workflow, or its workflow never started.
 */
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
export class EndpointNotFoundError extends NotFoundError {
  override readonly name = 'EndpointNotFoundError';
  constructor(readonly endpoint: string) {
    super(`endpoint ${endpoint} has no endpoint workflow (${endpointWorkflowId(endpoint)}): nothing has been deployed to it with Modelship`);
  }
}

/** No deployment has this workflow id (or it was queued at an endpoint that will not start it). */
export class DeploymentNotFoundError extends NotFoundError {
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

/** No worker answered for a running deployment's status: {@link reason} says why; `snapshot()` shows what is recorded. */
export class DeploymentStatusUnavailableError extends ModelshipClientError {
  override readonly name = 'DeploymentStatusUnavailableError';
  constructor(
    readonly workflowId: string,
    reason: string,
    readonly phase: string | undefined,
  ) {
    super(`${workflowId}: ${reason}, so its live status is unknown (recorded phase ${phase ?? 'unknown'}); snapshot() shows what the server records`);
  }
}

/**
 * The deployment's workflow ended without a result (it failed or timed out). A deployment that ends
 * with a result — even `rejected` or `failed` — is not an error: read `result.outcome`.
 */
export class DeploymentFailedError extends ModelshipClientError {
  override readonly name: string = 'DeploymentFailedError';
  constructor(
    readonly workflowId: string,
    readonly reason: string,
    message = `deployment ${workflowId} failed before it returned a result: ${reason}`,
  ) {
    super(message);
  }
}

/** The deployment's workflow was terminated or cancelled (by an operator, `terminate()`/`cancel()`, or a refused start). */
export class DeploymentTerminatedError extends DeploymentFailedError {
  override readonly name = 'DeploymentTerminatedError';
  constructor(
    workflowId: string,
    readonly how: 'terminated' | 'cancelled',
    reason: string | undefined,
  ) {
    super(workflowId, reason ?? how, `deployment ${workflowId} was ${how}${reason ? ` (${reason})` : ''} before it returned a result`);
  }
}

/**
 * Modelship is not set up to run here: a setting is missing, or the Temporal namespace lacks what
 * Modelship needs and cannot be given it. `hint` says what to set or run.
 */
export class SetupError extends ModelshipError {
  override readonly name: string = 'SetupError';
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** The toolchain could not be installed (`setupToolchain`, `npx modelship setup`): what failed, with the end of its output. */
export class ToolchainSetupError extends SetupError {
  override readonly name = 'ToolchainSetupError';
  constructor(
    message: string,
    /** The folder it was being installed into. */
    readonly dir: string,
    hint = 'fix what it says and run `npx modelship setup` again (it starts afresh)',
  ) {
    super(message, hint);
  }
}

/** A port the local environment was asked to listen on is taken: which, and the option that chose it. */
export class PortInUseError extends ModelshipError {
  override readonly name = 'PortInUseError';
  constructor(
    readonly port: number,
    /** The option that chose the port, as the caller spelled it (`gatewayPort`; the CLI maps it to its flag). */
    readonly option: string,
    what = 'something else',
  ) {
    super(`port ${port} (${option}) is already in use by ${what}: stop what listens there, or choose another ${option}`);
  }
}
