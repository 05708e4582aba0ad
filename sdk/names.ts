/**
 * Wire names shared by clients, workflows and workers: task queues, workflow ids, workflow type
 * names and search attribute keys. Renaming any of these breaks running executions.
 *
 * Workflow-safe: imports nothing but `@temporalio/common` and `./constants`.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { Target } from './constants';

/** The task queues live with the other vocabularies in `./constants`; re-exported here for existing importers. */
export { ACTIVITY_TASK_QUEUES, WORKFLOW_TASK_QUEUE } from './constants';

/** The same as {@link Target}: the hardware a stage runs on, which picks its activity task queue. */
export type StageTarget = Target;

/** Workflow type names (the exported function names in `workflows/`). */
export const WORKFLOW_TYPES = {
  deployModel: 'deployModel',
  endpoint: 'endpoint',
  driftCheck: 'driftCheck',
  /** A child that delivers one notification (started by `notify`, abandoned by its parent). */
  notifyWorkflow: 'notifyWorkflow',
} as const;

/** `deploy/<endpoint>/<version>`: one deployment of one version to one endpoint. */
export function deploymentWorkflowId(endpoint: string, version: string): string {
  return `deploy/${endpoint}/${version}`;
}

/** `endpoint/<endpoint>`: the long-lived entity workflow of an endpoint. */
export function endpointWorkflowId(endpoint: string): string {
  return `endpoint/${endpoint}`;
}

/** `drift/<endpoint>`: the Temporal Schedule of an endpoint's drift checks, and the id its `driftCheck` runs start from. */
export function driftScheduleId(endpoint: string): string {
  return `drift/${endpoint}`;
}

/** The Temporal UI page of a workflow, given the UI's base URL (`MODELSHIP_UI_URL`, `--ui-url`). */
export function workflowUiUrl(uiBaseUrl: string, namespace: string, workflowId: string): string {
  return `${uiBaseUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** Typed search attributes kept current by Modelship workflows, for the Temporal UI and `list`. */
export const SEARCH_ATTRIBUTES = {
  endpoint: defineSearchAttributeKey('ModelshipEndpoint', SearchAttributeType.KEYWORD),
  model: defineSearchAttributeKey('ModelshipModel', SearchAttributeType.KEYWORD),
  version: defineSearchAttributeKey('ModelshipVersion', SearchAttributeType.KEYWORD),
  phase: defineSearchAttributeKey('ModelshipPhase', SearchAttributeType.KEYWORD),
  canaryWeight: defineSearchAttributeKey('ModelshipCanaryWeight', SearchAttributeType.INT),
} as const;

/**
 * Memo keys: what a workflow records for readers that have no worker to query (`describe` answers
 * from the server alone). `endpointState`: the endpoint workflow's state ({@link EndpointState}
 * with its recent history), as of `recordedAt`.
 */
export const MEMO_KEYS = { endpointState: 'modelshipEndpointState', recordedAt: 'modelshipRecordedAt' } as const;

/** The `temporal` CLI spelling of each search attribute's type, for registration: derived from {@link SEARCH_ATTRIBUTES}, the one source. */
export const SEARCH_ATTRIBUTE_CLI_TYPES: Readonly<Record<string, 'Keyword' | 'Int'>> = Object.fromEntries(
  Object.values(SEARCH_ATTRIBUTES).map((key) => [key.name, key.type === SearchAttributeType.INT ? ('Int' as const) : ('Keyword' as const)]),
);

/** The search attributes and summary a deployment workflow starts with (endpoint, model, version, phase `Pending`). */
export function deploymentStartAttributes(spec: { endpoint: string; version: string; model: { name?: string } }) {
  const model = spec.model.name ?? spec.endpoint;
  return {
    typedSearchAttributes: [
      { key: SEARCH_ATTRIBUTES.endpoint, value: spec.endpoint },
      { key: SEARCH_ATTRIBUTES.model, value: model },
      { key: SEARCH_ATTRIBUTES.version, value: spec.version },
      { key: SEARCH_ATTRIBUTES.phase, value: 'Pending' },
    ],
    staticSummary: `Deploy ${model} ${spec.version} to endpoint ${spec.endpoint}`,
  };
}
