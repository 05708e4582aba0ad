/**
 * `EndpointHandle`: an endpoint's entity workflow (`endpoint/<name>`): its live state, its history,
 * its versions and aliases, a manual rollback (to the previous version or any kept one). Its calls run through the client's {@link ClientSession} (a `ClientClosedError` after `close()`).
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ClientSession } from './clientSession';
import { endpointStatusQuery, rollbackUpdate, setAliasUpdate, type RollbackRequest } from '../definitions';
import type { UpdateDefinition } from '@temporalio/common';
import { DeploymentHandle } from './deploymentHandle';
import { ControlRejectedError, EndpointNotFoundError } from '../errors';
import { endpointWorkflowId } from '../names';
import { endpointState, type EndpointEvent, type EndpointState, type VersionRecord } from '../schemas';
import { aliasesOf } from '../versionRefs';
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
   * Every version that served the endpoint, oldest first, with its aliases and whether it serves
   * now (live, or as the endpoint last recorded it when no worker answers).
   *
   * @example
   * const champion = (await client.endpoint('iris').versions()).find((v) => v.aliases.includes('champion'));
   */
  async versions(): Promise<EndpointVersion[]> {
    const { state } = await this.snapshot();
    return (state.versions ?? []).map((v) => ({ ...v, aliases: aliasesOf(state, v.version), serves: v.version === state.stable?.version }));
  }

  /**
   * Points `alias` at `version` (a version that served this endpoint, or another alias); answers
   * what it did. Usable wherever a version is: `rollback({ to: alias })`, `model.source: version:<alias>`.
   */
  setAlias(alias: string, version: string, by?: string): Promise<string> {
    return this.update('setAlias', setAliasUpdate, { alias, version, ...(by ? { by } : {}) });
  }

  /**
   * Returns the endpoint to the version that was stable before the last promotion, or to `to` (a
   * version or alias it keeps): every replica applied, verified by inference. During a deployment's
   * post-promotion watch it ends the watch (failed, with `by` and `reason`): the deployment returns
   * traffic to the previous version and ends `rolledBack`; the answer comes once that is recorded.
   * Refused while a deployment is in progress otherwise (abort it instead), and before anything changes when the version's
   * artifact is gone from the store or it does not accept what clients of the serving version send
   * (outputs it lacks are a warning in the answer); `force: true` skips that IO check, recorded.
   *
   * @example
   * await client.endpoint('iris').rollback({ to: 'champion', by: 'oncall', reason: 'v7 drifts' });
   */
  rollback(request: RollbackRequest = {}): Promise<string> {
    return this.update('rollback', rollbackUpdate, request);
  }

  /** Executes an Update of the endpoint; a refusal is a {@link ControlRejectedError} with the reason. */
  private update<A>(name: string, definition: UpdateDefinition<string, [A]>, arg: A): Promise<string> {
    return this.session.call(name, this.workflowId, async () => {
      try {
        return await this.client.workflow.getHandle(this.workflowId).executeUpdate(definition, { args: [arg] });
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError) throw new ControlRejectedError(this.workflowId, name, updateFailureReason(error));
        if (error instanceof WorkflowNotFoundError) throw new EndpointNotFoundError(this.endpoint);
        throw error;
      }
    });
  }
}

/** A version of an endpoint as `versions()` lists it: its record, the aliases that name it, whether it serves now. */
export type EndpointVersion = VersionRecord & { aliases: string[]; serves: boolean };
