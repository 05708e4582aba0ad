/** `EndpointHandle`: an endpoint's entity workflow (`endpoint/<name>`): its live state, its history, a manual rollback. */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { endpointStatusQuery, rollbackUpdate, type ControlRequest } from '../definitions';
import { DeploymentHandle } from './deploymentHandle';
import { ControlRejectedError, EndpointNotFoundError } from '../errors';
import { endpointWorkflowId } from '../names';
import { endpointState, type EndpointEvent, type EndpointState } from '../schemas';
import { recordedEndpointState, type EndpointSnapshot } from './recordedState';
import { updateFailureReason } from './updateRejection';
import { askLive } from './workerPresence';

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

  /**
   * The state without waiting on a worker: live when a worker answers within a moment, else as the
   * endpoint workflow last recorded it (its memo, read from the server alone), saying why.
   */
  async snapshot(): Promise<EndpointSnapshot> {
    const handle = this.client.workflow.getHandle(this.workflowId);
    try {
      const [description, live] = await Promise.all([handle.describe(), askLive(this.client, () => handle.query(endpointStatusQuery))]);
      if ('value' in live) return { live: true, state: endpointState.parse(live.value) };
      return recordedEndpointState(this.endpoint, description, live.reason);
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
      if (error instanceof WorkflowUpdateFailedError) throw new ControlRejectedError(this.workflowId, 'rollback', updateFailureReason(error));
      if (error instanceof WorkflowNotFoundError) throw new EndpointNotFoundError(this.endpoint);
      throw error;
    }
  }
}
