/**
 * Activity implementations, built by a factory from their ports (store, runtime), so workers wire
 * real ones and tests may wire others. Workflows import only the type of {@link createActivities}.
 */
import type { BenchmarkReport, ModelArtifact, ReleaseReport, ValidationReport } from '../sdk/schemas';
import { currentActivityContext } from './activityContext';
import { benchmarkModel, type BenchmarkInput } from './benchmark/benchmarkModel';
import { ingestModel, type IngestInput } from './ingest/ingestModel';
import { releaseVersion, type ReleaseInput } from './rollout/releaseVersion';
import type { ModelRuntime } from './runtime';
import type { ArtifactStore } from './store';
import { validateModel, type ValidateInput } from './validate/validateModel';

export interface ActivityDeps {
  store: ArtifactStore;
  runtime: ModelRuntime;
  /** Bearer token of the gateways' admin routes. */
  adminToken?: string;
}

/** CPU-queue activities. Their names are wire contracts: renaming one breaks running workflows. */
export function createActivities(deps: ActivityDeps) {
  return {
    async ingestModel(input: IngestInput): Promise<ModelArtifact> {
      return ingestModel(deps.store, input);
    },
    async validateModel(input: ValidateInput): Promise<ValidationReport> {
      return validateModel(deps.store, deps.runtime, input);
    },
    async benchmarkModel(input: BenchmarkInput): Promise<BenchmarkReport> {
      return benchmarkModel(deps.store, deps.runtime, currentActivityContext(), input);
    },
    async releaseVersion(input: ReleaseInput): Promise<ReleaseReport> {
      return releaseVersion({ store: deps.store, context: currentActivityContext(), adminToken: deps.adminToken }, input);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { BenchmarkInput, IngestInput, ReleaseInput, ValidateInput };
