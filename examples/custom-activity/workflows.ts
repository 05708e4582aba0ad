/**
 * The team's workflows file (its worker's `workflowsPath`): Modelship's workflows re-exported, and
 * `deployWithFairnessCheck`, which is `deployModel` with two stages of the team's own — a fairness
 * check on the selected model before release, and a change ticket after it. A re-release of a
 * version the endpoint served skips the model stages as `deployModel` does.
 */
import { proxyActivities } from '@temporalio/workflow';
import {
  benchmarkStage,
  convertStage,
  customStage,
  ingestStage,
  knownArtifactRef,
  optimizeStage,
  releaseStage,
  reReleaseStage,
  runDeployment,
  selectStage,
  validateStage,
  type DeploymentAdmission,
} from 'modelship/workflows';
import type { DeploymentResult, PipelineSpec } from 'modelship/schemas';
import type { GovernanceActivities } from './activities';

export { deployModel, endpoint } from 'modelship/workflows';

/** The team's task queue: its worker runs this workflow and the governance activities. */
export const GOVERNANCE_TASK_QUEUE = 'model-governance';

const governance = proxyActivities<GovernanceActivities>({
  taskQueue: GOVERNANCE_TASK_QUEUE,
  startToCloseTimeout: '2m',
  retry: { maximumAttempts: 3 },
});

/** `admission`: what the endpoint hands over (the stable version this deployment replaces); pass it on. */
export async function deployWithFairnessCheck(spec: PipelineSpec, admission?: DeploymentAdmission): Promise<DeploymentResult> {
  return runDeployment(
    spec,
    async (d) => {
      if (knownArtifactRef(spec.model.source)) {
        await reReleaseStage(d); // `version:<version-or-alias>` or `digest:sha256:<hex>`: an artifact the endpoint served, no model stages
      } else {
        await ingestStage(d);
        await convertStage(d);
        await optimizeStage(d);
        await validateStage(d);
      }
      await benchmarkStage(d);
      const serving = selectStage(d);
      await customStage(
        d,
        'fairness',
        () => governance.checkFairness({ endpoint: spec.endpoint, version: spec.version, digest: serving.artifact?.digest ?? '' }),
        (r) => `prediction-rate gap between groups ${r.gap.toFixed(3)} (class ${r.worstClass}) ≤ ${r.maxGap}`,
      );
      await releaseStage(d, serving);
      await customStage(
        d,
        'ticket',
        () =>
          governance.openChangeTicket({
            endpoint: spec.endpoint,
            version: spec.version,
            workflowId: d.status.workflowId,
            summary: `${spec.version} serves ${spec.endpoint}`,
          }),
        (file) => `change ticket ${file}`,
      );
    },
    admission,
  );
}
