/**
 * What the server alone knows of an endpoint or a deployment, for when no worker answers a query:
 * the endpoint workflow's memo (its state as last recorded) and the search attributes (phase,
 * canary weight). Each answer says it is not live, why, and as of when.
 */
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { endpointStatusQuery } from '../definitions';
import { EndpointStateUnavailableError } from '../errors';
import { endpointWorkflowId, MEMO_KEYS, SEARCH_ATTRIBUTES } from '../names';
import { endpointState, type DeploymentStatus, type EndpointState } from '../schemas';
import { askLive, STATUS_QUERY_TIMEOUT_MS } from './workerPresence';

/** An endpoint's state: live (answered by its workflow now), or as its workflow last recorded it. */
export type EndpointSnapshot = { live: true; state: EndpointState } | { live: false; state: EndpointState; reason: string; recordedAt?: string };

/** A deployment's status: live or final (`status`), or only what its search attributes say. */
export type DeploymentSnapshot =
  | { live: true; status: DeploymentStatus }
  | {
      live: false;
      workflowId: string;
      /** The workflow's own status: RUNNING, TERMINATED, … */
      execution: string;
      phase?: string;
      canaryWeight?: number;
      reason: string;
    };

/** The endpoint's state from its memo; {@link EndpointStateUnavailableError} if it has recorded none. */
export function recordedEndpointState(endpoint: string, description: WorkflowExecutionDescription, reason: string): EndpointSnapshot {
  const memo = description.memo ?? {};
  const parsed = endpointState.safeParse(memo[MEMO_KEYS.endpointState]);
  if (!parsed.success) throw new EndpointStateUnavailableError(endpoint, reason, description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.phase));
  const recordedAt = memo[MEMO_KEYS.recordedAt];
  return { live: false, state: parsed.data, reason, ...(typeof recordedAt === 'string' ? { recordedAt } : {}) };
}

/**
 * The endpoint's state: live when a worker answers within `timeoutMs`, else as its workflow last
 * recorded it ({@link recordedEndpointState}), so a reader never waits on a worker that is not there.
 * A missing endpoint workflow is thrown as `WorkflowNotFoundError`.
 */
export async function currentEndpointState(client: Client, endpoint: string, timeoutMs = STATUS_QUERY_TIMEOUT_MS): Promise<EndpointState> {
  const handle = client.workflow.getHandle(endpointWorkflowId(endpoint));
  const live = await askLive(client, () => handle.query(endpointStatusQuery), timeoutMs);
  if ('value' in live) return endpointState.parse(live.value);
  return recordedEndpointState(endpoint, await handle.describe(), live.reason).state;
}

/** A deployment as its search attributes show it. */
export function recordedDeployment(workflowId: string, description: WorkflowExecutionDescription, reason: string): DeploymentSnapshot {
  const attributes = description.typedSearchAttributes;
  const canaryWeight = attributes.get(SEARCH_ATTRIBUTES.canaryWeight);
  const phase = attributes.get(SEARCH_ATTRIBUTES.phase);
  return {
    live: false,
    workflowId,
    execution: description.status.name,
    ...(phase !== undefined ? { phase } : {}),
    ...(canaryWeight !== undefined ? { canaryWeight } : {}),
    reason,
  };
}
