/**
 * `modelship/workflows`: Modelship's workflow types, and the stages they are made of, for workflows
 * of your own. Workflow-safe: import it from workflow code (it pulls in `@temporalio/workflow` and
 * pure schemas only).
 *
 * Register Modelship's workflows next to yours by re-exporting them from your workflows file — not
 * with `export *`, which would register the stage functions as workflow types too:
 *
 * @example
 * // workflows.ts — the worker's workflowsPath
 * import { proxyActivities } from '@temporalio/workflow';
 * import { benchmarkStage, convertStage, customStage, ingestStage, knownArtifactRef, optimizeStage, releaseStage, reReleaseStage, runDeployment, selectStage, validateStage, type DeploymentAdmission } from 'modelship/workflows';
 * import type { DeploymentResult, PipelineSpec } from 'modelship/schemas';
 * export { deployModel, driftCheck, endpoint } from 'modelship/workflows';
 *
 * const { checkFairness } = proxyActivities<{ checkFairness(digest: string): Promise<{ gap: number }> }>({ taskQueue: 'model-governance', startToCloseTimeout: '5m' });
 *
 * export async function deployWithFairnessCheck(spec: PipelineSpec, admission?: DeploymentAdmission): Promise<DeploymentResult> {
 *   return runDeployment(spec, async (d) => {
 *     if (knownArtifactRef(spec.model.source)) {
 *       await reReleaseStage(d); // `version:`/`digest:` source: an artifact the endpoint served, no model stages
 *     } else {
 *       await ingestStage(d);
 *       await convertStage(d);
 *       await optimizeStage(d);
 *       await validateStage(d);
 *     }
 *     await benchmarkStage(d);
 *     const serving = selectStage(d);
 *     await customStage(d, 'fairness', () => checkFairness(serving.artifact!.digest), (r) => `max group gap ${r.gap}`);
 *     await releaseStage(d, serving);
 *   }, admission);
 * }
 */
export { deployModel } from './deployModel';
export { endpoint, type EndpointInput } from './endpoint/endpoint';
export { driftCheck } from './drift/driftCheck';
export { driftAlertEvent, driftAlertSummary } from './drift/driftAlert';
export { runDeployment, StageFailed, type Deployment } from './deployment';
export { convertStage, ingestStage, optimizeStage } from './stages/modelStages';
export { benchmarkStage, selectStage, validateStage } from './stages/gateStages';
export { canaryStage, customStage, releaseStage } from './stages/releaseStages';
export { reReleaseStage } from './stages/reReleaseStage';
export { knownArtifactRef, type KnownArtifactRef } from '../sdk/knownArtifactRef';
export { canaryRollout, type CanaryResult } from './rollout/progressive';
export { describeStep } from './rollout/steps';
export { PREVIEW_HEADER } from './rollout/blueGreen';
export { returnToStable, type ReturnToStableInput, type ReturnedToStable, type StableTarget } from './rollout/returnToStable';
export type { ProgressiveRolloutSpec, RolloutActivities, RolloutObserver } from './rollout/rolloutRun';
export { selectCandidate, type SelectionRules } from './candidateSelection';
export { notify, notificationsStarted, notifyWorkflow } from './notify';
export { deploymentDetails } from './details';
export * from '../sdk/definitions';
export { ACTIVITY_TASK_QUEUES, deploymentWorkflowId, endpointWorkflowId, SEARCH_ATTRIBUTES, WORKFLOW_TASK_QUEUE, WORKFLOW_TYPES } from '../sdk/names';
export * from '../sdk/errors'; // ModelshipError and every error class, as from each entry
