/**
 * `ModelshipClient`: start deployments and follow them, over @temporalio/client. A deployment is
 * followed through its {@link DeploymentHandle} (`deploymentHandle.ts`), an endpoint through its
 * {@link EndpointHandle} (`endpointHandle.ts`); what they throw is in `errors.ts` (all a `ModelshipError`).
 * A custom deployment workflow is checked before and after it starts (`workflowStart.ts`), so a
 * wrong `workflowType` or `taskQueue` is refused instead of waiting forever.
 *
 * @example
 * const client = await ModelshipClient.connect();
 * const deployment = await client.deploy(await loadPipelineSpec('pipeline.yaml'));
 * const result = await deployment.result(); // result.outcome: 'promoted' | 'rejected' | 'failed'
 */
import { Client, Connection, WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type * as StoreModule from '../../store';
import type { ArtifactStore } from '../../store';
import { resolveConnection, type ConnectionOverrides } from '../connection';
import { submitDeploymentUpdate, type SubmitDeploymentResult } from '../definitions';
import { ClientSession } from './clientSession';
import { closedChannelInterceptors } from './closedChannelGuard';
import { DeploymentHandle } from './deploymentHandle';
import { EndpointHandle } from './endpointHandle';
import { DeploymentAlreadyRunningError, DeploymentRefusedError } from '../errors';
import {
  deploymentStartAttributes,
  deploymentWorkflowId,
  endpointWorkflowId,
  SEARCH_ATTRIBUTES,
  WORKFLOW_TASK_QUEUE,
  WORKFLOW_TYPES,
  workflowUiUrl,
} from '../names';
import { parseOrThrow, pipelineSpec, type PipelineSpec, type PipelineSpecInput } from '../schemas';
import { sourceLimitsFromEnv } from '../sourceLimits';
import { uploadSpecSources } from './sourceUploads';
import { updateFailureReason } from './updateRejection';
import { DEFAULT_WORKER_WAIT_MS } from './workerPresence';
import { refuseIfNotStarted, requirePollers, requireWorkflowWorker, type CustomWorkflow } from './workflowStart';
import { connectFailure } from './connectFailure';

export { DeploymentHandle, type DeploymentHandleOptions } from './deploymentHandle';
export { EndpointHandle, type EndpointVersion } from './endpointHandle';
export type { DeploymentEvent } from './deploymentEvents';
export type { DeploymentSnapshot, EndpointSnapshot } from './recordedState';
export * from '../errors';

/** How long a custom deployment workflow may take to complete its first workflow task before it is refused. */
export const DEFAULT_START_TIMEOUT_MS = 30_000;

export interface DeployOptions {
  /** Who submits (recorded by the endpoint). */
  by?: string;
  /** The folder the spec's relative file paths resolve against (default: the working directory); a spec from {@link loadPipelineSpec} has none left. */
  baseDir?: string;
  /**
   * Run a workflow of your own (built from `modelship/workflows` stages) instead of `deployModel`,
   * still admitted by the endpoint; `taskQueue` is the queue its worker polls. Refused at once
   * ({@link DeploymentRefusedError}) when no worker polls that queue.
   */
  workflowType?: string;
  taskQueue?: string;
  /**
   * How long (ms) a custom workflow may take, once started, to complete its first workflow task
   * (default 30 s): one that does not (no worker registers its type, its code fails at once) is
   * terminated, so the endpoint moves on, and refused with the reason.
   */
  startTimeoutMs?: number;
  /**
   * How long (ms) to wait for a worker on the `modelship` task queue (endpoint and `deployModel`
   * workflows) before the deployment is refused (default 10 s, so a worker that is restarting is not).
   */
  workerWaitMs?: number;
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
  private readonly session: ClientSession;

  private constructor(
    readonly temporal: Client,
    private readonly connection: Connection | undefined,
    readonly address: string,
    private readonly storeSetting: string | ArtifactStore | undefined,
    session?: ClientSession,
  ) {
    this.session = session ?? new ClientSession(temporal, address);
  }

  /**
   * Connects with the standard Temporal environment configuration (see {@link resolveConnection});
   * gives up after `connectTimeoutMs` (default 5 s) when the server does not answer.
   */
  static async connect(overrides: ConnectionOverrides & ClientStoreOptions & { connectTimeoutMs?: number } = {}): Promise<ModelshipClient> {
    const resolved = resolveConnection(overrides);
    const opened: { session?: ClientSession } = {}; // set once connected; the interceptors ask it
    let connection: Connection;
    try {
      connection = await Connection.connect({
        connectTimeout: overrides.connectTimeoutMs ?? 5000,
        ...(resolved.connectionOptions as Parameters<typeof Connection.connect>[0]),
        // Calls still in flight when the client closes end cleanly instead of retrying on a closed channel.
        interceptors: closedChannelInterceptors(() => opened.session?.closed ?? false),
      });
    } catch (error) {
      throw connectFailure(error, resolved);
    }
    const temporal = new Client({ connection, namespace: resolved.namespace });
    opened.session = new ClientSession(temporal, resolved.address);
    return new ModelshipClient(temporal, connection, resolved.address, overrides.store, opened.session);
  }

  /** Wraps an existing Temporal client. */
  static fromClient(client: Client, address = 'unknown', options: ClientStoreOptions = {}): ModelshipClient {
    return new ModelshipClient(client, undefined, address, options.store);
  }

  /** The artifact store uploads go to, opened (and its module, with the S3 client, loaded) on first use. */
  get store(): ArtifactStore {
    const setting = this.storeSetting ?? process.env.MODELSHIP_STORE ?? storeModule().DEFAULT_STORE_URI;
    this.openedStore ??= typeof setting === 'string' ? storeModule().openStore(setting) : setting;
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
    const parsed = parseOrThrow(pipelineSpec, input, specName);
    const custom = customWorkflow(options);
    return this.session.call('deploy', deploymentWorkflowId(parsed.endpoint, parsed.version), async () => {
      // Workers first: a deployment nothing would run is refused before any file is uploaded.
      await requireWorkflowWorker(this.temporal, parsed.endpoint, options.workerWaitMs ?? DEFAULT_WORKER_WAIT_MS);
      if (custom) await requirePollers(this.temporal, parsed.endpoint, custom);
      const spec = await uploadSpecSources(parsed, {
        baseDir: options.baseDir ?? process.cwd(),
        upload: async (file) => (await storeModule().putSourceFile(this.store, file)).key,
        limits: sourceLimitsFromEnv(process.env),
        specName,
      });

      // Admission may still refuse it (whenBusy: refuse) after the upload: only the endpoint knows, and the
      // files, content-addressed, are reused by the next try or collected when nothing references them.
      const { workflowId, runId } = await this.submit(spec, options, custom);
      if (custom && runId) await refuseIfNotStarted(this.temporal, spec.endpoint, workflowId, runId, custom);
      // A custom deployment still queued is checked when its handle finds its run.
      return new DeploymentHandle(workflowId, this.session, { runId, endpoint: spec.endpoint, ...(custom && !runId ? { customWorkflow: custom } : {}) });
    });
  }

  /** Submits the spec to its endpoint workflow (started if needed): admitted (started or queued), or refused. */
  private async submit(spec: PipelineSpec, options: DeployOptions, custom: CustomWorkflow | undefined): Promise<SubmitDeploymentResult> {
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
    try {
      return await this.temporal.workflow.executeUpdateWithStart(submitDeploymentUpdate, {
        args: [
          {
            spec,
            ...(options.by ? { by: options.by } : {}),
            ...(options.workflowType ? { workflowType: options.workflowType } : {}),
            ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}),
            ...(custom ? { startTimeoutMs: custom.startTimeoutMs } : {}),
          },
        ],
        startWorkflowOperation,
      });
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) throw new DeploymentRefusedError(spec.endpoint, updateFailureReason(error));
      throw error;
    }
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
      return new DeploymentHandle(workflowId, this.session, { runId: handle.firstExecutionRunId });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw new DeploymentAlreadyRunningError(workflowId);
      throw error;
    }
  }

  /** An endpoint's entity workflow: status, history, rollback. */
  endpoint(name: string): EndpointHandle {
    return new EndpointHandle(name, this.session);
  }

  /** A handle on a deployment, by workflow id (`deploy/<endpoint>/<version>`), queued at its endpoint or started. */
  deployment(workflowId: string): DeploymentHandle {
    const [kind, endpoint] = workflowId.split('/');
    return new DeploymentHandle(workflowId, this.session, kind === 'deploy' && endpoint ? { endpoint } : {});
  }

  /** The Temporal UI page of a workflow, given the UI's base URL. */
  static workflowUiUrl(uiBaseUrl: string, namespace: string, workflowId: string): string {
    return workflowUiUrl(uiBaseUrl, namespace, workflowId);
  }

  get namespace(): string {
    return this.temporal.options.namespace;
  }

  /**
   * Closes the connection, and the store if this client opened it from a URI (one passed in stays
   * open: it is the caller's). Calls still waiting on this client or its handles reject with a
   * `ClientClosedError`, and so does any call made after.
   */
  async close(): Promise<void> {
    this.session.close();
    if (this.openedStore && this.openedStore !== this.storeSetting) this.openedStore.close?.();
    this.openedStore = undefined;
    await this.connection?.close();
  }
}

/**
 * `store/`, loaded when first needed: a client that uploads nothing (and every CLI command that only
 * reads state) never loads it, nor `@aws-sdk/client-s3` with it.
 */
function storeModule(): typeof StoreModule {
  return require('../../store') as typeof StoreModule;
}

/** The custom workflow the options name, or `undefined` for the built-in `deployModel` on Modelship's queue. */
function customWorkflow(options: DeployOptions): CustomWorkflow | undefined {
  const workflowType = options.workflowType ?? WORKFLOW_TYPES.deployModel;
  const taskQueue = options.taskQueue ?? WORKFLOW_TASK_QUEUE;
  if (workflowType === WORKFLOW_TYPES.deployModel && taskQueue === WORKFLOW_TASK_QUEUE) return undefined;
  return { workflowType, taskQueue, startTimeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS };
}
