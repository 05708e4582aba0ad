/**
 * `ModelshipClient`: start deployments and follow them, over @temporalio/client.
 *
 * @example
 * const client = await ModelshipClient.connect();
 * const deployment = await client.deploy(await loadPipelineSpec('pipeline.yaml'));
 * const result = await deployment.result(); // result.outcome: 'promoted' | 'rejected' | 'failed'
 */
import {
  Client,
  Connection,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { resolveConnection, type ConnectionOverrides } from './connection';
import {
  abortUpdate,
  approveUpdate,
  deploymentStatusQuery,
  endpointStatusQuery,
  pauseUpdate,
  resumeUpdate,
  rollbackUpdate,
  submitDeploymentUpdate,
  type ControlRequest,
  type SubmitDeploymentResult,
} from './definitions';
import { deploymentWorkflowId, endpointWorkflowId, SEARCH_ATTRIBUTES, WORKFLOW_TASK_QUEUE, WORKFLOW_TYPES } from './names';
import {
  deploymentResult,
  endpointState,
  parseOrThrow,
  pipelineSpec,
  STAGE_NAMES,
  type DeploymentResult,
  type DeploymentStatus,
  type EndpointEvent,
  type EndpointState,
  type PipelineSpec,
  type PipelineSpecInput,
  type RolloutStep,
  type StageState,
} from './schemas';

/** A deployment with this workflow id is already running. */
export class DeploymentAlreadyRunningError extends Error {
  override readonly name = 'DeploymentAlreadyRunningError';
  constructor(readonly workflowId: string) {
    super(`deployment ${workflowId} is already running; follow it with \`modelship status ${workflowId}\``);
  }
}

/** A control command (approve, abort, pause, resume) was refused by the deployment; the message says why. */
export class ControlRejectedError extends Error {
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
export class DeploymentRefusedError extends Error {
  override readonly name = 'DeploymentRefusedError';
  constructor(
    readonly endpoint: string,
    reason: string,
  ) {
    super(reason);
  }
}

/** No endpoint workflow exists for this endpoint: nothing was deployed to it through Modelship. */
export class EndpointNotFoundError extends Error {
  override readonly name = 'EndpointNotFoundError';
  constructor(readonly endpoint: string) {
    super(`endpoint ${endpoint} has no endpoint workflow (${endpointWorkflowId(endpoint)}): nothing has been deployed to it with Modelship`);
  }
}

/** No deployment has this workflow id. */
export class DeploymentNotFoundError extends Error {
  override readonly name = 'DeploymentNotFoundError';
  constructor(
    readonly workflowId: string,
    why?: string,
  ) {
    super(`no deployment ${workflowId}${why ? `: ${why}` : ''}`);
  }
}

/** What {@link DeploymentHandle.events} yields: one event per change, then the outcome. */
export type DeploymentEvent =
  | { type: 'queued'; workflowId: string; position: number }
  | { type: 'stage'; stage: StageState['name']; status: StageState['status']; summary?: string; startedAt?: string; finishedAt?: string }
  | { type: 'step'; index: number; step: RolloutStep }
  | { type: 'finished'; result: DeploymentResult };

export class DeploymentHandle {
  private runId: string | undefined;

  /**
   * @param endpoint when the deployment was admitted by its endpoint and may still be queued: its
   *   run is found through the endpoint's state once it starts.
   */
  constructor(
    readonly workflowId: string,
    private readonly client: Client,
    options: { runId?: string; endpoint?: string } = {},
  ) {
    this.runId = options.runId;
    this.endpoint = options.endpoint;
  }

  private readonly endpoint: string | undefined;

  /** The live status while running (phase `Queued` while it waits its turn); the final status once done. */
  async status(): Promise<DeploymentStatus> {
    const handle = await this.started(false);
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

  /** Waits for the outcome. Rejections are results (`outcome: 'rejected'`), not exceptions. */
  async result(): Promise<DeploymentResult> {
    const handle = (await this.started(true)) as WorkflowHandle;
    const result = deploymentResult.parse(await handle.result());
    await this.settledAtEndpoint();
    return result;
  }

  /**
   * Once the deployment has ended, waits (briefly) until its endpoint has recorded the outcome, so
   * that after `result()` the endpoint's state — stable version, history, `rollback` — reflects it.
   */
  private async settledAtEndpoint(timeoutMs = 30_000): Promise<void> {
    if (!this.endpoint) return;
    const endpoint = this.client.workflow.getHandle(endpointWorkflowId(this.endpoint));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        if ((await endpoint.query(endpointStatusQuery)).active?.workflowId !== this.workflowId) return;
      } catch {
        return; // no endpoint workflow (or it closed): nothing to wait for
      }
      await delay(100);
    }
  }

  /** Calls `onStatus` on each change until the deployment ends, then returns its result. */
  async follow(onStatus: (status: DeploymentStatus) => void, intervalMs = 500, signal?: AbortSignal): Promise<DeploymentResult> {
    let last = '';
    let done = false;
    const resultPromise = this.result().finally(() => {
      done = true;
    });
    resultPromise.catch(() => undefined); // observed below, or abandoned on abort
    while (!done) {
      if (signal?.aborted) throw signal.reason ?? new Error('stopped following');
      let status: DeploymentStatus | undefined;
      try {
        status = await this.status();
      } catch {
        // The query can fail in the moment between workflow tasks; the next poll will catch up.
      }
      const key = JSON.stringify(status);
      if (status && key !== last) {
        last = key;
        onStatus(status);
      }
      await Promise.race([resultPromise.catch(() => undefined), delay(intervalMs)]);
    }
    const result = await resultPromise;
    if (JSON.stringify(stripOutcome(result)) !== last) onStatus(result);
    return result;
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
  async *events(intervalMs = 500): AsyncGenerator<DeploymentEvent, void, undefined> {
    const seen = new Map<string, string>();
    const queue: DeploymentEvent[] = [];
    const diff = (status: DeploymentStatus): void => {
      const emit = (key: string, value: unknown, event: DeploymentEvent): void => {
        const json = JSON.stringify(value);
        if (seen.get(key) === json) return;
        seen.set(key, json);
        queue.push(event);
      };
      if (status.phase === 'Queued') emit('queued', status.phase, { type: 'queued', workflowId: this.workflowId, position: 0 });
      for (const stage of status.stages) {
        if (stage.status === 'pending') continue;
        emit(`stage:${stage.name}`, [stage.status, stage.summary], { type: 'stage', stage: stage.name, status: stage.status, summary: stage.summary, startedAt: stage.startedAt, finishedAt: stage.finishedAt });
      }
      for (const [index, step] of (status.rollout?.steps ?? []).entries()) {
        if (step.status === 'pending') continue;
        emit(`step:${index}`, step, { type: 'step', index, step });
      }
    };
    let finished: DeploymentResult | undefined;
    const stop = new AbortController();
    const following = this.follow(diff, intervalMs, stop.signal).then((result) => {
      finished = result;
    });
    let failed: unknown;
    following.catch((error: unknown) => {
      failed = error ?? new Error('following the deployment failed');
    });
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift() as DeploymentEvent;
        if (failed) throw failed;
        if (finished) {
          yield { type: 'finished', result: finished };
          return;
        }
        await Promise.race([following.catch(() => undefined), delay(Math.min(intervalMs, 100))]);
      }
    } finally {
      // The consumer stopped early (break, return, throw): stop polling too.
      stop.abort();
    }
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
    const handle = await this.started(false);
    if (!handle) throw new ControlRejectedError(this.workflowId, update.name, 'the deployment is queued; it has not started');
    try {
      return await handle.executeUpdate(update, { args: [request] });
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        throw new ControlRejectedError(this.workflowId, update.name, (error.cause as Error | undefined)?.message ?? error.message);
      }
      if (error instanceof WorkflowNotFoundError) throw new DeploymentNotFoundError(this.workflowId);
      throw error;
    }
  }

  /**
   * The handle on this deployment's run. While it is queued at its endpoint: `undefined`, or (with
   * `wait`) waits until the endpoint starts it.
   */
  private async started(wait: boolean): Promise<WorkflowHandle | undefined> {
    if (this.runId || !this.endpoint) return this.client.workflow.getHandle(this.workflowId, this.runId);
    const endpoint = this.client.workflow.getHandle(endpointWorkflowId(this.endpoint));
    for (;;) {
      let state: EndpointState;
      try {
        state = await endpoint.query(endpointStatusQuery);
      } catch (error) {
        // No endpoint workflow: a deployment started directly (or not at all); its latest run.
        if (error instanceof WorkflowNotFoundError) return this.client.workflow.getHandle(this.workflowId);
        throw error;
      }
      const queued = state.queue.some((d) => d.workflowId === this.workflowId);
      const runId = state.active?.workflowId === this.workflowId ? state.active.runId : [...state.history].reverse().find((e) => e.workflowId === this.workflowId && e.runId)?.runId;
      if (runId && !queued) {
        this.runId = runId;
        return this.client.workflow.getHandle(this.workflowId, runId);
      }
      // Neither queued nor known to the endpoint (e.g. older than its history): the latest run.
      if (!queued && state.active?.workflowId !== this.workflowId) return this.client.workflow.getHandle(this.workflowId);
      const endpointStatus = (await endpoint.describe()).status.name;
      if (endpointStatus !== 'RUNNING') {
        throw new DeploymentNotFoundError(this.workflowId, `it was queued at ${endpointWorkflowId(this.endpoint)}, which is ${endpointStatus.toLowerCase()}: it will not start`);
      }
      if (!wait) return undefined;
      await delay(500);
    }
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

/** An endpoint's entity workflow: its live state, its history, a manual rollback. */
export class EndpointHandle {
  constructor(
    readonly endpoint: string,
    private readonly client: Client,
  ) {}

  get workflowId(): string {
    return endpointWorkflowId(this.endpoint);
  }

  /** Stable and previous versions, the deployment in progress (phase, weight), the queue. */
  async status(): Promise<EndpointState> {
    try {
      return endpointState.parse(await this.client.workflow.getHandle(this.workflowId).query(endpointStatusQuery));
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new EndpointNotFoundError(this.endpoint);
      throw error;
    }
  }

  /** Rollout history, oldest first (bounded; each deployment keeps its full record). */
  async history(): Promise<EndpointEvent[]> {
    return (await this.status()).history;
  }

  /** The deployment in progress, if any. */
  async active(): Promise<DeploymentHandle | undefined> {
    const active = (await this.status()).active;
    return active ? new DeploymentHandle(active.workflowId, this.client, { runId: active.runId, endpoint: this.endpoint }) : undefined;
  }

  /**
   * Returns the endpoint to the version that was stable before the last promotion: every replica
   * applied, verified by inference. Refused while a deployment is in progress (abort it instead).
   */
  async rollback(request: ControlRequest = {}): Promise<string> {
    try {
      return await this.client.workflow.getHandle(this.workflowId).executeUpdate(rollbackUpdate, { args: [request] });
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) throw new ControlRejectedError(this.workflowId, 'rollback', (error.cause as Error | undefined)?.message ?? error.message);
      if (error instanceof WorkflowNotFoundError) throw new EndpointNotFoundError(this.endpoint);
      throw error;
    }
  }
}

export interface DeployOptions {
  /** Who submits (recorded by the endpoint). */
  by?: string;
  /**
   * Run a workflow of your own (built from `modelship/workflows` stages) instead of `deployModel`,
   * still admitted by the endpoint; `taskQueue` is the queue its worker polls.
   */
  workflowType?: string;
  taskQueue?: string;
}

export class ModelshipClient {
  private constructor(
    readonly temporal: Client,
    private readonly connection: Connection | undefined,
    readonly address: string,
  ) {}

  /** Connects with the standard Temporal environment configuration (see {@link resolveConnection}). */
  static async connect(overrides: ConnectionOverrides = {}): Promise<ModelshipClient> {
    const resolved = resolveConnection(overrides);
    const connection = await Connection.connect({
      connectTimeout: 5000,
      ...(resolved.connectionOptions as Parameters<typeof Connection.connect>[0]),
    });
    return new ModelshipClient(new Client({ connection, namespace: resolved.namespace }), connection, resolved.address);
  }

  /** Wraps an existing Temporal client. */
  static fromClient(client: Client, address = 'unknown'): ModelshipClient {
    return new ModelshipClient(client, undefined, address);
  }

  /**
   * Submits a spec to its endpoint (validated here; model paths must already be absolute or URIs, as
   * {@link loadPipelineSpec} leaves them). The endpoint's entity workflow (`endpoint/<name>`, started
   * if needed) runs one deployment at a time: this one starts now, waits its turn, or — with
   * `whenBusy: refuse` — is refused with {@link DeploymentRefusedError}. Submitting a version that is
   * already queued or running returns that deployment.
   */
  async deploy(input: PipelineSpec | PipelineSpecInput, options: DeployOptions = {}): Promise<DeploymentHandle> {
    const spec = parseOrThrow(pipelineSpec, input, `${(input as { endpoint?: string }).endpoint ?? 'pipeline'} spec`);
    const startWorkflowOperation = new WithStartWorkflowOperation(WORKFLOW_TYPES.endpoint, {
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId: endpointWorkflowId(spec.endpoint),
      workflowIdConflictPolicy: 'USE_EXISTING',
      args: [{ endpoint: spec.endpoint }],
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.endpoint, value: spec.endpoint },
        { key: SEARCH_ATTRIBUTES.phase, value: 'Idle' },
      ],
      staticSummary: `Endpoint ${spec.endpoint}: live state, one rollout at a time`,
    });
    let admitted: SubmitDeploymentResult;
    try {
      admitted = await this.temporal.workflow.executeUpdateWithStart(submitDeploymentUpdate, {
        args: [
          {
            spec,
            ...(options.by ? { by: options.by } : {}),
            ...(options.workflowType ? { workflowType: options.workflowType } : {}),
            ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}),
          },
        ],
        startWorkflowOperation,
      });
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) throw new DeploymentRefusedError(spec.endpoint, (error.cause as Error | undefined)?.message ?? error.message);
      throw error;
    }
    return new DeploymentHandle(admitted.workflowId, this.temporal, { runId: admitted.runId, endpoint: spec.endpoint });
  }

  /**
   * Starts `deployModel` directly, outside the endpoint's admission (no queueing, no endpoint state).
   * For tests and custom orchestration; {@link deploy} is what users want.
   */
  async deployDirect(input: PipelineSpec | PipelineSpecInput): Promise<DeploymentHandle> {
    const spec = parseOrThrow(pipelineSpec, input, `${(input as { endpoint?: string }).endpoint ?? 'pipeline'} spec`);
    const workflowId = deploymentWorkflowId(spec.endpoint, spec.version);
    try {
      const handle = await this.temporal.workflow.start(WORKFLOW_TYPES.deployModel, {
        taskQueue: WORKFLOW_TASK_QUEUE,
        workflowId,
        args: [spec],
        typedSearchAttributes: [
          { key: SEARCH_ATTRIBUTES.endpoint, value: spec.endpoint },
          { key: SEARCH_ATTRIBUTES.model, value: spec.model.name ?? spec.endpoint },
          { key: SEARCH_ATTRIBUTES.version, value: spec.version },
          { key: SEARCH_ATTRIBUTES.phase, value: 'Pending' },
        ],
        staticSummary: `Deploy ${spec.model.name ?? spec.endpoint} ${spec.version} to endpoint ${spec.endpoint}`,
        staticDetails: `source: ${spec.model.source}\nrollout: ${spec.rollout.strategy}`,
      });
      return new DeploymentHandle(workflowId, this.temporal, { runId: handle.firstExecutionRunId });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw new DeploymentAlreadyRunningError(workflowId);
      throw error;
    }
  }

  /** An endpoint's entity workflow: status, history, rollback. */
  endpoint(name: string): EndpointHandle {
    return new EndpointHandle(name, this.temporal);
  }

  /** A handle on a deployment, by workflow id (`deploy/<endpoint>/<version>`), queued at its endpoint or started. */
  deployment(workflowId: string): DeploymentHandle {
    const [kind, endpoint] = workflowId.split('/');
    return new DeploymentHandle(workflowId, this.temporal, kind === 'deploy' && endpoint ? { endpoint } : {});
  }

  /** The Temporal UI page of a workflow, given the UI's base URL. */
  static workflowUiUrl(uiBaseUrl: string, namespace: string, workflowId: string): string {
    return `${uiBaseUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  }

  get namespace(): string {
    return this.temporal.options.namespace;
  }

  async close(): Promise<void> {
    await this.connection?.close();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function stripOutcome(result: DeploymentResult): DeploymentStatus {
  const { outcome: _outcome, ...status } = result;
  return status;
}
