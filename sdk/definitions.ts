/**
 * Query, update and signal definitions shared by workflows and clients (the `shared.ts` of the
 * Temporal samples). Workflow-safe.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AdmittedDeployment, EndpointState } from './schemas/endpoint';
import type { PipelineSpec } from './schemas/pipelineSpec';
import type { Phase } from './constants';
import type { DeploymentStatus } from './schemas/reports';
import type { TargetPicks } from './schemas/routing';
import type { ServingConfig } from './schemas/serving';
import type { ActiveWatch } from './schemas/watch';

/** The current status of a deployment: phase, stages, reports so far. */
export const deploymentStatusQuery = defineQuery<DeploymentStatus>('status');

/** Who asks, and why: recorded with the rollout. */
export interface ControlRequest {
  by?: string;
  reason?: string;
}

/** Let a canary step that waits for approval proceed. Rejected unless a step is waiting. */
export const approveUpdate = defineUpdate<string, [ControlRequest]>('approve');
/** Stop the rollout and return all traffic to the stable version. */
export const abortUpdate = defineUpdate<string, [ControlRequest]>('abort');
/** Hold the current step (its bake clock stops) until resumed. */
export const pauseUpdate = defineUpdate<string, [ControlRequest]>('pause');
export const resumeUpdate = defineUpdate<string, [ControlRequest]>('resume');
/**
 * An operator's rollback during a deployment's post-promotion watch, sent by its endpoint (a
 * workflow cannot send Updates): the watch fails with the operator's reason and traffic returns to
 * the previous version. Ignored when the deployment is not watching.
 */
export const endWatchSignal = defineSignal<[ControlRequest]>('endWatch');

/** Who decides what a deployment waiting for retry does, and why (the input of the `retry` and `abort` Signals). */
export interface RetryDecision {
  by: string;
  reason?: string;
}

/** Re-run the stage a deployment waits on (phase `WaitingForRetry`) with its inputs. Rejected unless one waits. */
export const retryUpdate = defineUpdate<string, [ControlRequest]>('retry');
/** The `retry` Update as a Signal, for the Temporal UI (More actions → Send a Signal); ignored unless a stage waits. */
export const retrySignal = defineSignal<[RetryDecision]>('retry');
/** Ends a deployment waiting for retry as failed (`Aborted`); the Signal form of the `abort` Update, for the UI. */
export const abortSignal = defineSignal<[RetryDecision]>('abort');

/** Ask the endpoint to run a deployment: now if it is idle, else queued or refused per `spec.whenBusy`. */
export const submitDeploymentUpdate = defineUpdate<SubmitDeploymentResult, [SubmitDeploymentRequest]>('submitDeployment');

export interface SubmitDeploymentRequest {
  spec: PipelineSpec;
  by?: string;
  /** A workflow of your own built from Modelship's stages (default `deployModel`); it must return a `DeploymentResult`. */
  workflowType?: string;
  /** The task queue its worker polls (default: the endpoint's, `modelship`). */
  taskQueue?: string;
  /**
   * For a custom workflow: how long (ms) its run may take to complete its first workflow task; the
   * endpoint terminates one that does not, records it failed with the reason, and moves on.
   */
  startTimeoutMs?: number;
}

export interface SubmitDeploymentResult {
  workflowId: string;
  /** Set when the deployment started at once (or was already running). */
  runId?: string;
  /** Deployments ahead of this one (0: running). */
  position: number;
  /** The same version was already admitted; this is that deployment. */
  existing: boolean;
}

/**
 * What the endpoint hands a deployment it admits (the second argument of `deployModel`): the
 * version it will replace, as the endpoint — the authority on what serves — knows it. `stable: null`
 * when the endpoint serves nothing yet. A deployment started without an endpoint reads the routing.
 */
export interface DeploymentAdmission {
  stable: { version: string; digest: string; serving?: ServingConfig; picks?: TargetPicks } | null;
  /** For a `version:`/`digest:` source: the artifact it names, as the endpoint recorded it when it served. */
  release?: KnownArtifact;
}

/** An artifact a version of the endpoint served with: what a re-release serves again (the endpoint records it with the queued deployment). */
export type KnownArtifact = NonNullable<AdmittedDeployment['release']>;

/**
 * Return the endpoint to the version that was stable before the last promotion, or to the version
 * (or alias) `to` names. Refused, before anything changes, when its artifact is gone from the store
 * or it does not accept what clients of the serving version send (inputs: names, datatypes, shapes);
 * outputs it lacks are recorded as a warning. `force` skips the IO check (recorded), never the artifact's.
 */
export const rollbackUpdate = defineUpdate<string, [RollbackRequest]>('rollback');

export interface RollbackRequest extends ControlRequest {
  /** A version or alias of the endpoint (default: the previous stable version). */
  to?: string;
  /** Skip the IO check (the target's inputs against what clients send); recorded with who and why. The artifact must still be in the store. */
  force?: boolean;
}

/** Point an alias (`champion`) at a version that served the endpoint; answers what it did. Refused for an unknown version. */
export const setAliasUpdate = defineUpdate<string, [SetAliasRequest]>('setAlias');

export interface SetAliasRequest {
  alias: string;
  /** A version name (or another alias). */
  version: string;
  by?: string;
}

/** The endpoint's live state: stable, previous, active rollout, queue, history. */
export const endpointStatusQuery = defineQuery<EndpointState>('endpointStatus');

/**
 * Wait, on the endpoint, for a deployment it admitted: until it has `started` (its run id; or
 * `known: false` when the endpoint has no record of it), or until the endpoint has `recorded` its
 * outcome (stable, history and `rollback` reflect it). Fails with `DeploymentNotStarted` when a
 * queued deployment will not start. The server answers when it is so: no polling.
 */
export const awaitDeploymentUpdate = defineUpdate<AwaitDeploymentResult, [AwaitDeploymentRequest]>('awaitDeployment');

export interface AwaitDeploymentRequest {
  workflowId: string;
  until: 'started' | 'recorded';
}

export interface AwaitDeploymentResult {
  /** Whether the endpoint admitted this deployment (queued, running, or in its recent history). */
  known: boolean;
  runId?: string;
}

/**
 * Wait, on a deployment, for its status to change: answers with the status once its revision is
 * above `afterRevision` (at once if it already is). Revisions count every change the deployment
 * makes to its status. A deployment that ends while a watch waits abandons the watch: read the result.
 */
export const watchStatusUpdate = defineUpdate<StatusChange, [{ afterRevision: number }]>('watchStatus');

export interface StatusChange {
  revision: number;
  status: DeploymentStatus;
}

/** A deployment started by an endpoint reports its phase and canary weight to it. */
export const deploymentProgressSignal = defineSignal<[DeploymentProgress]>('deploymentProgress');

export interface DeploymentProgress {
  workflowId: string;
  /** The reporting run: after a reset of the deployment, a new one (the endpoint follows it). */
  runId?: string;
  phase: Phase;
  weight?: number;
  generation?: number;
  /** The post-promotion watch, once it has started (absent before, and from runs started before the watch). */
  watch?: ActiveWatch;
}
