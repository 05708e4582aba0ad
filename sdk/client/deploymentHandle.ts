/**
 * `DeploymentHandle`: one deployment (`deploy/<endpoint>/<version>`), queued at its endpoint or
 * started: its status, its result, following it (statuses or events) and controlling its rollout.
 * Waits are Updates the server answers when it is so, not polling loops:
 *  - finding the run of a queued deployment: `awaitDeployment` (until `started`) on its endpoint;
 *  - `result()`, after the outcome: `awaitDeployment` (until `recorded`) on its endpoint;
 *  - `follow()` / `events()`: `watchStatus` on the deployment, raced with its result.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { cancellable } from './cancellableCall';
import { deploymentEvents, type DeploymentEvent } from './deploymentEvents';
import { awaitRecorded, awaitRun, lookUpRun, type DeploymentRun } from './deploymentRun';
import { abortUpdate, approveUpdate, deploymentStatusQuery, pauseUpdate, resumeUpdate, type ControlRequest } from '../definitions';
import { ControlRejectedError, DeploymentNotFoundError } from '../errors';
import { deploymentResult, STAGE_NAMES, type DeploymentResult, type DeploymentStatus } from '../schemas';
import { recordedDeployment, type DeploymentSnapshot } from './recordedState';
import { watchStatusUntilEnded } from './statusWatch';
import { askLive } from './workerPresence';
import { updateFailureReason } from './updateRejection';

export class DeploymentHandle {
  private runId: string | undefined;
  private readonly endpoint: string | undefined;

  /**
   * @param endpoint when the deployment was admitted by its endpoint and may still be queued: its
   *   run is found through the endpoint once it starts.
   */
  constructor(
    readonly workflowId: string,
    private readonly client: Client,
    options: { runId?: string; endpoint?: string } = {},
  ) {
    this.runId = options.runId;
    this.endpoint = options.endpoint;
  }

  /** The live status while running (phase `Queued` while it waits its turn); the final status once done. */
  async status(): Promise<DeploymentStatus> {
    const handle = await this.startedRun();
    if (!handle) return this.queuedStatus();
    try {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') {
        const result = await this.tryResult(handle);
        if (result) return result;
      }
      return await handle.query(deploymentStatusQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new DeploymentNotFoundError(this.workflowId);
      throw error;
    }
  }

  /**
   * The status without waiting on a worker: the final status once it has ended with a result, the
   * live one when a worker answers within a moment, else what its search attributes record.
   */
  async snapshot(): Promise<DeploymentSnapshot> {
    const handle = this.client.workflow.getHandle(this.workflowId, this.runId);
    let description;
    try {
      description = await handle.describe();
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      throw new DeploymentNotFoundError(this.workflowId, this.endpoint ? `if it is queued, \`modelship status ${this.endpoint}\` shows it` : undefined);
    }
    const result = description.status.name === 'COMPLETED' ? await this.tryResult(handle) : undefined;
    if (result) return { live: true, status: result };
    const live = await askLive(this.client, () => handle.query(deploymentStatusQuery));
    if ('value' in live) return { live: true, status: live.value };
    return recordedDeployment(this.workflowId, description, live.reason);
  }

  /** Waits for the outcome. Rejections are results (`outcome: 'rejected'`), not exceptions. */
  async result(): Promise<DeploymentResult> {
    return this.recorded(await (await this.run()).result());
  }

  /**
   * Calls `onStatus` on each change until the deployment ends, then returns its result.
   *
   * @param intervalMs the pause before watching again after a watch failed (the status is read once meanwhile)
   * @param signal stops following (the promise rejects with its reason)
   */
  async follow(onStatus: (status: DeploymentStatus) => void, intervalMs = 500, signal?: AbortSignal): Promise<DeploymentResult> {
    const stop = signal ?? new AbortController().signal;
    let shown = '';
    const show = (status: DeploymentStatus): void => {
      const key = JSON.stringify(status);
      if (key === shown) return;
      shown = key;
      onStatus(status);
    };
    let handle = await this.startedRun();
    if (!handle) {
      show(this.queuedStatus());
      handle = await cancellable(this.client, stop, () => this.run());
    }
    const run = handle;
    const returned = cancellable(this.client, stop, () => run.result());
    returned.catch(() => undefined); // observed below, or abandoned when stopped
    await watchStatusUntilEnded({ client: this.client, handle, ended: returned, onStatus: show, retryMs: intervalMs, stop });
    const final = await cancellable(this.client, stop, async () => this.recorded(await returned));
    if (JSON.stringify(stripOutcome(final)) !== shown) onStatus(final);
    return final;
  }

  /**
   * The deployment as a stream of events: while queued, each stage as it starts and ends, each
   * rollout step as it changes (with its verdict), then the outcome.
   *
   * @example
   * for await (const event of deployment.events()) {
   *   if (event.type === 'stage') console.log(event.stage, event.status, event.summary ?? '');
   *   if (event.type === 'finished') process.exitCode = event.result.outcome === 'promoted' ? 0 : 1;
   * }
   */
  events(intervalMs = 500): AsyncGenerator<DeploymentEvent, void, undefined> {
    return deploymentEvents(this.workflowId, (onStatus, signal) => this.follow(onStatus, intervalMs, signal));
  }

  /** Lets a step waiting for approval proceed. Rejected (with the reason) unless one is waiting. */
  approve(request: ControlRequest = {}): Promise<string> {
    return this.control(approveUpdate, request);
  }

  /** Stops the rollout; traffic returns to the stable version. */
  abort(request: ControlRequest = {}): Promise<string> {
    return this.control(abortUpdate, request);
  }

  pause(request: ControlRequest = {}): Promise<string> {
    return this.control(pauseUpdate, request);
  }

  resume(request: ControlRequest = {}): Promise<string> {
    return this.control(resumeUpdate, request);
  }

  private async control(update: typeof approveUpdate, request: ControlRequest): Promise<string> {
    const handle = await this.startedRun();
    if (!handle) throw new ControlRejectedError(this.workflowId, update.name, 'the deployment is queued; it has not started');
    try {
      return await handle.executeUpdate(update, { args: [request] });
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) throw new ControlRejectedError(this.workflowId, update.name, updateFailureReason(error));
      if (error instanceof WorkflowNotFoundError) throw new DeploymentNotFoundError(this.workflowId);
      throw error;
    }
  }

  /** The run's result, once the endpoint that admitted it has recorded it (so the endpoint's state reflects the outcome). */
  private async recorded(returned: unknown): Promise<DeploymentResult> {
    const result = deploymentResult.parse(returned);
    if (this.endpoint) await awaitRecorded(this.client, this.endpoint, this.workflowId);
    return result;
  }

  /** The handle on this deployment's run, or `undefined` while it is queued at its endpoint. */
  private async startedRun(): Promise<WorkflowHandle | undefined> {
    if (this.runId || !this.endpoint) return this.handleOn({ runId: this.runId });
    const run = await lookUpRun(this.client, this.endpoint, this.workflowId);
    return run === 'queued' ? undefined : this.handleOn(run);
  }

  /** The handle on this deployment's run; while it is queued, once its endpoint has started it. */
  private async run(): Promise<WorkflowHandle> {
    if (this.runId || !this.endpoint) return this.handleOn({ runId: this.runId });
    return this.handleOn(await awaitRun(this.client, this.endpoint, this.workflowId));
  }

  private handleOn(run: DeploymentRun): WorkflowHandle {
    if (run.runId) this.runId = run.runId;
    return this.client.workflow.getHandle(this.workflowId, run.runId);
  }

  private queuedStatus(): DeploymentStatus {
    const [, endpoint = '', version = ''] = this.workflowId.split('/');
    return {
      workflowId: this.workflowId,
      endpoint,
      version,
      phase: 'Queued',
      stages: STAGE_NAMES.map((name) => ({ name, status: 'pending' })),
      candidates: [],
      benchmarks: [],
    };
  }

  private async tryResult(handle: WorkflowHandle): Promise<DeploymentResult | undefined> {
    try {
      return deploymentResult.parse(await handle.result());
    } catch {
      return undefined;
    }
  }
}

function stripOutcome(result: DeploymentResult): DeploymentStatus {
  const { outcome: _outcome, ...status } = result;
  return status;
}
