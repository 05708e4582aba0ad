/**
 * Wire names shared by clients, workflows and workers: task queues, workflow ids, workflow type
 * names and search attribute keys. Renaming any of these breaks running executions.
 *
 * Workflow-safe: imports nothing but `@temporalio/common`.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Task queue polled by workflow workers. */
export const WORKFLOW_TASK_QUEUE = 'modelship';

/** Task queues polled by activity workers, by the hardware a stage targets. */
export const ACTIVITY_TASK_QUEUES = {
  cpu: 'modelship-cpu',
  gpu: 'modelship-gpu',
} as const;

export type StageTarget = keyof typeof ACTIVITY_TASK_QUEUES;

/** Workflow type names (the exported function names in `workflows/`). */
export const WORKFLOW_TYPES = {
  deployModel: 'deployModel',
  endpoint: 'endpoint',
} as const;

/** `deploy/<endpoint>/<version>`: one deployment of one version to one endpoint. */
export function deploymentWorkflowId(endpoint: string, version: string): string {
  return `deploy/${endpoint}/${version}`;
}

/** `endpoint/<endpoint>`: the long-lived entity workflow of an endpoint. */
export function endpointWorkflowId(endpoint: string): string {
  return `endpoint/${endpoint}`;
}

/** Typed search attributes kept current by Modelship workflows, for the Temporal UI and `list`. */
export const SEARCH_ATTRIBUTES = {
  endpoint: defineSearchAttributeKey('ModelshipEndpoint', SearchAttributeType.KEYWORD),
  model: defineSearchAttributeKey('ModelshipModel', SearchAttributeType.KEYWORD),
  version: defineSearchAttributeKey('ModelshipVersion', SearchAttributeType.KEYWORD),
  phase: defineSearchAttributeKey('ModelshipPhase', SearchAttributeType.KEYWORD),
  canaryWeight: defineSearchAttributeKey('ModelshipCanaryWeight', SearchAttributeType.INT),
} as const;

/** The `temporal` CLI spelling of each search attribute's type, for registration. */
export const SEARCH_ATTRIBUTE_CLI_TYPES: Readonly<Record<string, 'Keyword' | 'Int'>> = {
  ModelshipEndpoint: 'Keyword',
  ModelshipModel: 'Keyword',
  ModelshipVersion: 'Keyword',
  ModelshipPhase: 'Keyword',
  ModelshipCanaryWeight: 'Int',
};
