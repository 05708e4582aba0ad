/**
 * `deployModel`: one version of a model through ingest → convert → optimize → validate →
 * benchmark → select → release, composed from the stage functions in `./stages` (which users
 * compose into workflows of their own).
 *
 * Per target (`cpu`, `gpu`) the pipeline builds candidates (the fp32 conversion, and one per
 * optimization pass), validates each against the source framework's outputs, benchmarks those that
 * pass on the target's workers, and selects the fastest; each target's replicas serve its pick (CPU
 * replicas the cpu pick, or the fp32 conversion without a cpu target; GPU replicas the gpu pick), directly
 * or by a canary / blue-green rollout against the stable version. A refused model ends with outcome
 * `rejected` and the reason; it does not fail the workflow. A source that names a version or digest
 * the endpoint already served re-releases that artifact: no model stages, the benchmark gate and
 * the rollout as always.
 *
 * Deterministic: imports only `@temporalio/workflow` and pure `sdk/` modules.
 */
import type { DeploymentAdmission } from '../sdk/definitions';
import { knownArtifactRef } from '../sdk/knownArtifactRef';
import type { DeploymentResult, PipelineSpec } from '../sdk/schemas';
import { runDeployment } from './deployment';
import { benchmarkStage, selectStage, validateStage } from './stages/gateStages';
import { convertStage, ingestStage, optimizeStage } from './stages/modelStages';
import { releaseStage } from './stages/releaseStages';
import { reReleaseStage } from './stages/reReleaseStage';

/**
 * @param admission what the admitting endpoint hands over: the stable version this one replaces
 *   (absent when the deployment was started without an endpoint, or by an older endpoint)
 */
export async function deployModel(spec: PipelineSpec, admission?: DeploymentAdmission): Promise<DeploymentResult> {
  return runDeployment(
    spec,
    async (d) => {
      if (knownArtifactRef(spec.model.source)) {
        // A version or digest the endpoint already served: no model stages (./stages/reReleaseStage.ts).
        await reReleaseStage(d);
      } else {
        await ingestStage(d);
        await convertStage(d);
        await optimizeStage(d);
        await validateStage(d);
      }
      await benchmarkStage(d);
      const serving = selectStage(d);
      await releaseStage(d, serving);
    },
    admission,
  );
}
