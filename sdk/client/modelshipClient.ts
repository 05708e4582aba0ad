/**
 * `ModelshipClient`: start deployments and follow them, over @temporalio/client. A deployment is
 * followed through its {@link DeploymentHandle} (`deploymentHandle.ts`), an endpoint through its
 * {@link EndpointHandle} (`endpointHandle.ts`); what they throw is in `errors.ts`.
 *
 * @example
 * const client = await ModelshipClient.connect();
 * const deployment = await client.deploy(await loadPipelineSpec('pipeline.yaml'));
 * const result = await deployment.result(); // result.outcome: 'promoted' | 'rejected' | 'failed'
 */
import { Client, Connection, WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { DEFAULT_STORE_URI, openStore, type ArtifactStore } from '../../store';
import { resolveConnection, type ConnectionOverrides } from '../connection';
import { submitDeploymentUpdate, type SubmitDeploymentResult } from '../definitions';
import { DeploymentHandle } from './deploymentHandle';
import { EndpointHandle } from './endpointHandle';
import { DeploymentAlreadyRunningError, DeploymentRefusedError } from '../errors';
import { deploymentStartAttributes, deploymentWorkflowId, endpointWorkflowId, SEARCH_ATTRIBUTES, WORKFLOW_TASK_QUEUE, WORKFLOW_TYPES } from '../names';
import { parseOrThrow, pipelineSpec, type PipelineSpec, type PipelineSpecInput } from '../schemas';
import { sourceLimitsFromEnv } from '../sourceLimits';
import { uploadSpecSources } from './sourceUploads';
import { updateFailureReason } from './updateRejection';

export { DeploymentHandle } from './deploymentHandle';
export { EndpointHandle } from './endpointHandle';
export type { DeploymentEvent } from './deploymentEvents';
export type { DeploymentSnapshot, EndpointSnapshot } from './recordedState';
export {
  ModelshipClientError,
  DeploymentAlreadyRunningError,
  ControlRejectedError,
  DeploymentRefusedError,
  EndpointNotFoundError,
  DeploymentNotFoundError,
  EndpointStateUnavailableError,
} from '../errors';

export interface DeployOptions {
  /** Who submits (recorded by the endpoint). */
  by?: string;
  /** The folder the spec's relative file paths resolve against (default: the working directory); a spec from {@link loadPipelineSpec} has none left. */
  baseDir?: string;
  /**
   * Run a workflow of your own (built from `modelship/workflows` stages) instead of `deployModel`,
   * still admitted by the endpoint; `taskQueue` is the queue its worker polls.
   */
  workflowType?: string;
  taskQueue?: string;
}

export interface ClientStoreOptions {
  /**
   * The artifact store the workers use, where {@link ModelshipClient.deploy} uploads the spec's local
   * files: a URI (`s3://bucket/prefix`, `file://…`, a path) or an open store. Default: `MODELSHIP_STORE`,
   * else the embedded default `.modelship/store` in the working directory, as for a worker.
   */
  store?: string | ArtifactStore;
}

export class ModelshipClient {
  private openedStore: ArtifactStore | undefined;

  private constructor(
    readonly temporal: Client,
    private readonly connection: Connection | undefined,
    readonly address: string,
    private readonly storeSetting: string | ArtifactStore | undefined,
  ) {}

  /**
   * Connects with the standard Temporal environment configuration (see {@link resolveConnection});
   * gives up after `connectTimeoutMs` (default 5 s) when the server does not answer.
   */
  static async connect(overrides: ConnectionOverrides & ClientStoreOptions & { connectTimeoutMs?: number } = {}): Promise<ModelshipClient> {
    const resolved = resolveConnection(overrides);
    const connection = await Connection.connect({
      connectTimeout: overrides.connectTimeoutMs ?? 5000,
      ...(resolved.connectionOptions as Parameters<typeof Connection.connect>[0]),
    });
    return new ModelshipClient(new Client({ connection, namespace: resolved.namespace }), connection, resolved.address, overrides.store);
  }

  /** Wraps an existing Temporal client. */
  static fromClient(client: Client, address = 'unknown', options: ClientStoreOptions = {}): ModelshipClient {
    return new ModelshipClient(client, undefined, address, options.store);
  }

  /** The artifact store uploads go to, opened on first use. */
  get store(): ArtifactStore {
    const setting = this.storeSetting ?? process.env.MODELSHIP_STORE ?? DEFAULT_STORE_URI;
    this.openedStore ??= typeof setting === 'string' ? openStore(setting) : setting;
    return this.openedStore;
  }

  /**
   * Submits a spec to its endpoint. The spec is validated here, and its local files (model, profile
   * samples, golden inputs, evaluation set; relative paths against `options.baseDir`) are checked and
   * uploaded to the {@link store} before anything starts, so workers need not see this machine's
   * files: a missing one is an {@link InvalidSpecError} naming it. The endpoint's entity workflow
   * (`endpoint/<name>`, started if needed) runs one deployment at a time: this one starts now, waits
   * its turn, or — with `whenBusy: refuse` — is refused with {@link DeploymentRefusedError}.
   * Submitting a version that is already queued or running returns that deployment.
   */
  async deploy(input: PipelineSpec | PipelineSpecInput, options: DeployOptions = {}): Promise<DeploymentHandle> {
    const specName = `${(input as { endpoint?: string }).endpoint ?? 'pipeline'} spec`;
    const spec = await uploadSpecSources(parseOrThrow(pipelineSpec, input, specName), {
      baseDir: options.baseDir ?? process.cwd(),
      store: () => this.store,
      limits: sourceLimitsFromEnv(process.env),
      specName,
    });
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
      if (error instanceof WorkflowUpdateFailedError) throw new DeploymentRefusedError(spec.endpoint, updateFailureReason(error));
      throw error;
    }
    return new DeploymentHandle(admitted.workflowId, this.temporal, { runId: admitted.runId, endpoint: spec.endpoint });
  }

  /**
   * Starts `deployModel` directly, outside the endpoint's admission (no queueing, no endpoint state),
   * with the spec as given: nothing is uploaded, so a worker reads a `file://` source itself, within
   * its allowed folders. For tests and custom orchestration; {@link deploy} is what users want.
   */
  async deployDirect(input: PipelineSpec | PipelineSpecInput): Promise<DeploymentHandle> {
    const spec = parseOrThrow(pipelineSpec, input, `${(input as { endpoint?: string }).endpoint ?? 'pipeline'} spec`);
    const workflowId = deploymentWorkflowId(spec.endpoint, spec.version);
    try {
      const handle = await this.temporal.workflow.start(WORKFLOW_TYPES.deployModel, {
        taskQueue: WORKFLOW_TASK_QUEUE,
        workflowId,
        args: [spec],
        ...deploymentStartAttributes(spec),
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
