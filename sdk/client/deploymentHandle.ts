/**
 * `DeploymentHandle`: one deployment (`deploy/<endpoint>/<version>`), queued at its endpoint or
 * started: its status, its result, following it (statuses or events) and controlling its rollout.
 * Waits are Updates the server answers when it is so, not polling loops:
 *  - finding the run of a queued deployment: `awaitDeployment` (until `started`) on its endpoint;
 *  - `result()`, after the outcome: `awaitDeployment` (until `recorded`) on its endpoint;
 *  - `follow()` / `events()`: `watchStatus` on the deployment, raced with its result.
 * Every call runs through the client's {@link ClientSession}: after `client.close()` it fails with a
 * `ClientClosedError`, and a workflow that ended without a result is a `DeploymentFailedError` /
 * `DeploymentTerminatedError`.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { cancellable } from './cancellableCall';
import { ClientSession } from './clientSession';
import { deploymentEvents, type DeploymentEvent } from './deploymentEvents';
import { awaitRecorded, awaitRun, lookUpRun, runAfterReset, type DeploymentRun } from './deploymentRun';
import { abortUpdate, approveUpdate, deploymentStatusQuery, pauseUpdate, resumeUpdate, retryUpdate, type ControlRequest } from '../definitions';
import { ControlRejectedError, DeploymentNotFoundError, DeploymentStatusUnavailableError } from '../errors';
import { SEARCH_ATTRIBUTES } from '../names';
import { deploymentResult, STAGE_NAMES, type DeploymentResult, type DeploymentStatus } from '../schemas';
import { recordedDeployment, type DeploymentSnapshot } from './recordedState';
import { watchStatusUntilEnded } from './statusWatch';
import { askLive, STATUS_QUERY_TIMEOUT_MS } from './workerPresence';
import { updateFailureReason } from './updateRejection';
import { refuseIfNotStarted, type CustomWorkflow } from './workflowStart';

/** How a run that ended without a result is described (its status then is how it ended, not a query a worker may never answer). */
const ENDED_WITHOUT_RESULT: ReadonlySet<string> = new Set(['TERMINATED', 'CANCELLED', 'FAILED', 'TIMED_OUT']);

/** Where a {@link DeploymentHandle} finds its deployment. */
export interface DeploymentHandleOptions {
  runId?: string;
  /** When the deployment was admitted by its endpoint and may still be queued: its run is found through the endpoint once it starts. */
  endpoint?: string;
  /** A custom workflow whose start is still to be checked when its run is found (a queued custom deployment). */
  customWorkflow?: CustomWorkflow;
}

export class DeploymentHandle {
  private runId: string | undefined;
  private readonly endpoint: string | undefined;
  private customWorkflow: CustomWorkflow | undefined;
  private readonly session: ClientSession;

  /** @param client the Temporal client, or the session of the `ModelshipClient` that returns this handle. */
  constructor(
    readonly workflowId: string,
    client: Client | ClientSession,
    options: DeploymentHandleOptions = {},
  ) {
    this.session = ClientSession.of(client);
    this.runId = options.runId;
    this.endpoint = options.endpoint;
    this.customWorkflow = options.customWorkflow;
  }

  private get client(): Client {
    return this.session.temporal;
  }

  /**
   * The live status while running (phase `Queued` while it waits its turn); the final status once done.
   * A {@link DeploymentStatusUnavailableError} when no worker answers within 10 s.
   */
  status(): Promise<DeploymentStatus> {
    return this.session.call('status', this.workflowId, () => this.readStatus());
  }

  private async readStatus(): Promise<DeploymentStatus> {
    const handle = await this.startedRun();
    if (!handle) return this.queuedStatus();
    try {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') {
        if (await this.followReset()) return await this.readStatus();
        // Ended without a result (terminated, cancelled, failed): result() throws how, as a Modelship error.
        if (ENDED_WITHOUT_RESULT.has(description.status.name)) await handle.result();
        const result = await this.tryResult(handle);
        if (result) return result;
      }
      const live = await askLive(this.client, () => handle.query(deploymentStatusQuery), STATUS_QUERY_TIMEOUT_MS);
      if ('value' in live) return live.value;
      throw new DeploymentStatusUnavailableError(this.workflowId, live.reason, description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.phase));
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new DeploymentNotFoundError(this.workflowId);
      throw error;
    }
  }

  /**
   * The status without waiting on a worker: the final status once it has ended with a result, the
   * live one when a worker answers within a moment, else what its search attributes record.
   */
  snapshot(): Promise<DeploymentSnapshot> {
    return this.session.call('snapshot', this.workflowId, () => this.readSnapshot());
  }

  private async readSnapshot(): Promise<DeploymentSnapshot> {
    const handle = this.client.workflow.getHandle(this.workflowId, this.runId);
    let description;
    try {
      description = await handle.describe();
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      throw new DeploymentNotFoundError(this.workflowId, this.endpoint ? `if it is queued, client.endpoint('${this.endpoint}').status() shows it` : undefined);
    }
    const result = description.status.name === 'COMPLETED' ? await this.tryResult(handle) : undefined;
    if (result) return { live: true, status: result };
    const live = await askLive(this.client, () => handle.query(deploymentStatusQuery));
    if ('value' in live) return { live: true, status: live.value };
    return recordedDeployment(this.workflowId, description, live.reason);
  }

  /** Waits for the outcome. Rejections are results (`outcome: 'rejected'`), not exceptions. */
  result(): Promise<DeploymentResult> {
    return this.session.call('result', this.workflowId, async () => this.recorded(await this.runResult()));
  }

  /** The run's result; a run ended by a reset is followed to the run the reset started. */
  private async runResult(): Promise<unknown> {
    for (;;) {
      const handle = await this.run();
      try {
        return await handle.result();
      } catch (error) {
        if (!(await this.followReset())) throw error;
      }
    }
  }

  /** Moves this handle to the run a reset started, if its run was reset; whether it moved. */
  private async followReset(): Promise<boolean> {
    const next = this.runId ? await runAfterReset(this.client, this.workflowId, this.runId).catch(() => undefined) : undefined;
    if (next) this.runId = next;
    return next !== undefined;
  }

  /**
   * Calls `onStatus` on each change until the deployment ends, then returns its result.
   *
   * @param intervalMs the pause before watching again after a watch failed (the status is read once meanwhile)
   * @param signal stops following (the promise rejects with its reason)
   */
  follow(onStatus: (status: DeploymentStatus) => void, intervalMs = 500, signal?: AbortSignal): Promise<DeploymentResult> {
    return this.session.call('follow', this.workflowId, (stop) => this.followRun(onStatus, intervalMs, stop), signal);
  }

  private async followRun(onStatus: (status: DeploymentStatus) => void, intervalMs: number, stop: AbortSignal): Promise<DeploymentResult> {
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
    // A run that ends without a result because it was reset: the run the reset started is watched.
    for (;;) {
      const run = handle;
      const returned = cancellable(this.client, stop, () => run.result());
      returned.catch(() => undefined); // observed below, or abandoned when stopped
      await watchStatusUntilEnded({ client: this.client, handle: run, ended: returned, onStatus: show, retryMs: intervalMs, stop });
      const ended = await returned.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      if ('value' in ended) {
        const final = await cancellable(this.client, stop, () => this.recorded(ended.value));
        if (JSON.stringify(stripOutcome(final)) !== shown) onStatus(final);
        return final;
      }
      if (stop.aborted || !(await this.followReset())) throw ended.error;
      handle = this.client.workflow.getHandle(this.workflowId, this.runId);
    }
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

  /**
   * Stops the rollout (traffic returns to the stable version), or ends a deployment waiting for retry
   * (phase `WaitingForRetry`) as failed (`Aborted`). Rejected (with the reason) when neither applies.
   */
  abort(request: ControlRequest = {}): Promise<string> {
    return this.control(abortUpdate, request);
  }

  /**
   * Re-runs the stage a deployment waits on (phase `WaitingForRetry`, after an infrastructure
   * failure) with its inputs. Rejected (with the reason) unless a stage waits.
   *
   * @example
   * await client.deployment('deploy/fraud/v7').retry({ by: 'oncall', reason: 'the store is back' });
   */
  retry(request: ControlRequest = {}): Promise<string> {
    return this.control(retryUpdate, request);
  }

  pause(request: ControlRequest = {}): Promise<string> {
    return this.control(pauseUpdate, request);
  }

  resume(request: ControlRequest = {}): Promise<string> {
    return this.control(resumeUpdate, request);
  }

  /**
   * Asks the deployment's workflow to stop: `deployModel` returns traffic to the stable version and
   * ends; {@link result} then rejects with a `DeploymentTerminatedError` (`how: 'cancelled'`) unless the
   * workflow still returned a result. Refused while the deployment is queued.
   */
  cancel(): Promise<void> {
    return this.end('cancel', (handle) => handle.cancel());
  }

  /**
   * Ends the deployment's workflow at once, without running any of its code (for a workflow that
   * cannot run: no worker, a broken custom workflow). Its endpoint then returns traffic to the stable
   * version and admits the next deployment. Refused while the deployment is queued.
   */
  terminate(reason: string): Promise<void> {
    return this.end('terminate', (handle) => handle.terminate(reason));
  }

  private end(command: string, act: (handle: WorkflowHandle) => Promise<unknown>): Promise<void> {
    return this.session.call(command, this.workflowId, async () => {
      const handle = await this.startedRun();
      if (!handle) throw new ControlRejectedError(this.workflowId, command, 'the deployment is queued; it has not started');
      try {
        await act(handle);
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        const ended = await handle.describe().then(
          (d) => d.status.name.toLowerCase(),
          () => undefined,
        );
        if (ended) throw new ControlRejectedError(this.workflowId, command, `it has already ended (${ended})`);
        throw new DeploymentNotFoundError(this.workflowId);
      }
    });
  }

  private control(update: typeof approveUpdate, request: ControlRequest): Promise<string> {
    return this.session.call(update.name, this.workflowId, async () => {
      for (;;) {
        const handle = await this.startedRun();
        if (!handle) throw new ControlRejectedError(this.workflowId, update.name, 'the deployment is queued; it has not started');
        try {
          return await handle.executeUpdate(update, { args: [request] });
        } catch (error) {
          if (error instanceof WorkflowUpdateFailedError) throw new ControlRejectedError(this.workflowId, update.name, updateFailureReason(error));
          if (!(error instanceof WorkflowNotFoundError)) throw error;
          if (!(await this.followReset())) throw new DeploymentNotFoundError(this.workflowId);
        }
      }
    });
  }

  /** The run's result, once the endpoint that admitted it has recorded it (so the endpoint's state reflects the outcome). */
  private async recorded(returned: unknown): Promise<DeploymentResult> {
    const result = deploymentResult.parse(returned);
    if (this.endpoint) await awaitRecorded(this.client, this.endpoint, this.workflowId);
    return result;
  }

  /** The handle on this deployment's run, or `undefined` while it is queued at its endpoint; a custom one is checked first ({@link checkStarted}). */
  private async startedRun(): Promise<WorkflowHandle | undefined> {
    const run = this.runId || !this.endpoint ? { runId: this.runId } : await lookUpRun(this.client, this.endpoint, this.workflowId);
    if (run === 'queued') return undefined;
    const handle = this.handleOn(run);
    await this.checkStarted();
    return handle;
  }

  /** The handle on this deployment's run; while it is queued, once its endpoint has started it (a custom one checked first). */
  private async run(): Promise<WorkflowHandle> {
    const handle = this.handleOn(this.runId || !this.endpoint ? { runId: this.runId } : await awaitRun(this.client, this.endpoint, this.workflowId));
    await this.checkStarted();
    return handle;
  }

  /**
   * A custom workflow found queued when it was deployed, once its run is known, whatever is asked of
   * the handle first: refused (`DeploymentRefusedError`; terminated, by its endpoint or here) if
   * its run does not start. Checked once.
   */
  private async checkStarted(): Promise<void> {
    const workflow = this.customWorkflow;
    if (!workflow || !this.runId || !this.endpoint) return;
    this.customWorkflow = undefined;
    await refuseIfNotStarted(this.client, this.endpoint, this.workflowId, this.runId, workflow);
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
