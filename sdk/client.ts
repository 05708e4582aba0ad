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
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { resolveConnection, type ConnectionOverrides } from './connection';
import { abortUpdate, approveUpdate, deploymentStatusQuery, pauseUpdate, resumeUpdate, type ControlRequest } from './definitions';
import { deploymentWorkflowId, SEARCH_ATTRIBUTES, WORKFLOW_TASK_QUEUE, WORKFLOW_TYPES } from './names';
import {
  deploymentResult,
  parseOrThrow,
  pipelineSpec,
  type DeploymentResult,
  type DeploymentStatus,
  type PipelineSpec,
  type PipelineSpecInput,
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

/** No deployment has this workflow id. */
export class DeploymentNotFoundError extends Error {
  override readonly name = 'DeploymentNotFoundError';
  constructor(readonly workflowId: string) {
    super(`no deployment ${workflowId}`);
  }
}

export class DeploymentHandle {
  constructor(
    readonly workflowId: string,
    private readonly handle: WorkflowHandle,
  ) {}

  /** The live status while running; the final status once done. */
  async status(): Promise<DeploymentStatus> {
    try {
      const description = await this.handle.describe();
      if (description.status.name !== 'RUNNING') {
        const result = await this.tryResult();
        if (result) return result;
      }
      return await this.handle.query(deploymentStatusQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new DeploymentNotFoundError(this.workflowId);
      throw error;
    }
  }

  /** Waits for the outcome. Rejections are results (`outcome: 'rejected'`), not exceptions. */
  async result(): Promise<DeploymentResult> {
    return deploymentResult.parse(await this.handle.result());
  }

  /** Calls `onStatus` on each change until the deployment ends, then returns its result. */
  async follow(onStatus: (status: DeploymentStatus) => void, intervalMs = 500): Promise<DeploymentResult> {
    let last = '';
    let done = false;
    const resultPromise = this.result().finally(() => {
      done = true;
    });
    while (!done) {
      try {
        const status = await this.handle.query(deploymentStatusQuery);
        const key = JSON.stringify(status);
        if (key !== last) {
          last = key;
          onStatus(status);
        }
      } catch {
        // The query can fail in the moment between workflow tasks; the next poll will catch up.
      }
      await Promise.race([resultPromise.catch(() => undefined), delay(intervalMs)]);
    }
    const result = await resultPromise;
    if (JSON.stringify(stripOutcome(result)) !== last) onStatus(result);
    return result;
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
    try {
      return await this.handle.executeUpdate(update, { args: [request] });
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        throw new ControlRejectedError(this.workflowId, update.name, (error.cause as Error | undefined)?.message ?? error.message);
      }
      if (error instanceof WorkflowNotFoundError) throw new DeploymentNotFoundError(this.workflowId);
      throw error;
    }
  }

  private async tryResult(): Promise<DeploymentResult | undefined> {
    try {
      return await this.result();
    } catch {
      return undefined;
    }
  }
}

export interface DeployOptions {
  /** Extra search attributes or memo are not needed; the workflow id is derived from the spec. */
  signal?: AbortSignal;
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
   * Starts `deployModel` for a spec (validated here; model paths must already be absolute or URIs,
   * as {@link loadPipelineSpec} leaves them). Throws {@link DeploymentAlreadyRunningError} if this
   * version is being deployed to this endpoint already.
   */
  async deploy(input: PipelineSpec | PipelineSpecInput): Promise<DeploymentHandle> {
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
        memo: { source: spec.model.source },
      });
      return new DeploymentHandle(workflowId, handle);
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw new DeploymentAlreadyRunningError(workflowId);
      throw error;
    }
  }

  /** A handle on an existing deployment, by workflow id (`deploy/<endpoint>/<version>`). */
  deployment(workflowId: string): DeploymentHandle {
    return new DeploymentHandle(workflowId, this.temporal.workflow.getHandle(workflowId));
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
