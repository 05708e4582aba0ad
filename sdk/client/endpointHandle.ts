/**
 * `EndpointHandle`: an endpoint's entity workflow (`endpoint/<name>`): its live state, its history, a
 * manual rollback. Its calls run through the client's {@link ClientSession} (a `ClientClosedError` after `close()`).
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ClientSession } from './clientSession';
import { endpointStatusQuery, rollbackUpdate, type ControlRequest } from '../definitions';
import { DeploymentHandle } from './deploymentHandle';
import { ControlRejectedError, EndpointNotFoundError } from '../errors';
import { endpointWorkflowId } from '../names';
import { endpointState, type EndpointEvent, type EndpointState } from '../schemas';
import { currentEndpointState, recordedEndpointState, type EndpointSnapshot } from './recordedState';
import { updateFailureReason } from './updateRejection';
import { askLive } from './workerPresence';

export class EndpointHandle {
  private readonly session: ClientSession;

  /** @param client the Temporal client, or the session of the `ModelshipClient` that returns this handle. */
  constructor(
    readonly endpoint: string,
    client: Client | ClientSession,
  ) {
    this.session = ClientSession.of(client);
  }

  private get client(): Client {
    return this.session.temporal;
  }

  get workflowId(): string {
    return endpointWorkflowId(this.endpoint);
  }

  /**
   * Stable and previous versions, the deployment in progress (phase, weight), the queue: live, or,
   * when no worker answers within 10 s, as the endpoint workflow last recorded it (see {@link snapshot}
   * for which).
   */
  status(): Promise<EndpointState> {
    return this.session.call('status', this.workflowId, async () => {
      try {
        return await currentEndpointState(this.client, this.endpoint);
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw new EndpointNotFoundError(this.endpoint);
        throw error;
      }
    });
  }

  /**
   * The state without waiting on a worker: live when a worker answers within a moment, else as the
   * endpoint workflow last recorded it (its memo, read from the server alone), saying why.
   */
  snapshot(): Promise<EndpointSnapshot> {
    const handle = this.client.workflow.getHandle(this.workflowId);
    return this.session.call('snapshot', this.workflowId, async () => {
      try {
        const [description, live] = await Promise.all([handle.describe(), askLive(this.client, () => handle.query(endpointStatusQuery))]);
        if ('value' in live) return { live: true, state: endpointState.parse(live.value) };
        return recordedEndpointState(this.endpoint, description, live.reason);
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw new EndpointNotFoundError(this.endpoint);
        throw error;
      }
    });
  }

  /** Rollout history, oldest first (bounded; each deployment keeps its full record). */
  async history(): Promise<EndpointEvent[]> {
    return (await this.status()).history;
  }

  /** The deployment in progress, if any. */
  async active(): Promise<DeploymentHandle | undefined> {
    const active = (await this.status()).active;
    return active ? new DeploymentHandle(active.workflowId, this.session, { runId: active.runId, endpoint: this.endpoint }) : undefined;
  }

  /**
   * Returns the endpoint to the version that was stable before the last promotion: every replica
   * applied, verified by inference. Refused while a deployment is in progress (abort it instead).
   */
  rollback(request: ControlRequest = {}): Promise<string> {
    return this.session.call('rollback', this.workflowId, async () => {
      try {
        return await this.client.workflow.getHandle(this.workflowId).executeUpdate(rollbackUpdate, { args: [request] });
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError) throw new ControlRejectedError(this.workflowId, 'rollback', updateFailureReason(error));
        if (error instanceof WorkflowNotFoundError) throw new EndpointNotFoundError(this.endpoint);
        throw error;
      }
    });
  }
}
