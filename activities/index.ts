/**
 * Activity implementations, built by factories from their ports (store, runtime), so workers wire
 * real ones and tests may wire others. Workflows import only the types of these factories.
 * Activity names are wire contracts: renaming one breaks running workflows.
 *
 * @example
 * import { createActivities } from 'modelship/activities';
 * import { ACTIVITY_TASK_QUEUES, OnnxRuntime, openStore } from 'modelship/worker';
 *
 * const activities = createActivities({ store: openStore('s3://models/prod'), runtime: new OnnxRuntime() });
 * const worker = await Worker.create({ connection, taskQueue: ACTIVITY_TASK_QUEUES.cpu, activities });
 */
import type {
  AnalysisVerdict,
  DriftCheckResult,
  DriftCheckRequest,
  Webhook,
  RoutedVersion,
  BenchmarkReport,
  ConversionReport,
  DeploymentStatus,
  ModelArtifact,
  SkippedPass,
  ReleaseReport,
  ReportLocation,
  ValidationReport,
} from '../sdk/schemas';
import { Context } from '@temporalio/activity';
import { currentActivityContext } from './activityContext';
import { benchmarkCandidates, type BenchmarkInput } from './benchmark/benchmarkCandidates';
import { convertModel, type ConvertInput } from './convert/convertModel';
import { ingestModel, type IngestInput, type StoredSource } from './ingest/ingestModel';
import { sourcePolicyFromEnv, type SourcePolicy } from './ingest/sourcePolicy';
import { optimizeModel, type OptimizeInput } from './optimize/optimizeModel';
import { writeDeploymentReport } from './report/deploymentReport';
import { analyzeCanary, type AnalyzeInput } from './analysis/analyzeCanary';
import { applyRouting, releaseVersion, type ApplyRoutingInput, type ReleaseInput } from './rollout/releaseVersion';
import { checkActiveDeployment, type ActiveDeploymentCheck } from './rollout/activeDeployment';
import { refuseUnstartedDeployment, type DeploymentStartInput } from './rollout/deploymentStart';
import { writeKeptVersions, type KeptVersionsInput } from './rollout/keptVersions';
import { checkReturnTarget, type ReturnRefusal, type ReturnTargetCheck, type ReturnTargetInput } from './rollout/returnTarget';
import { stableVersion } from './rollout/stableVersion';
import { probeServing, verifyServing, type ProbeOptions, type ServingCheck } from './rollout/verifyServing';
import { checkDrift, type CheckDriftInput } from './drift/checkDrift';
import { rollBackForDrift, type DriftRollbackInput } from './drift/driftRollback';
import { deleteDriftSchedule, ensureDriftSchedule } from '../sdk/client/driftSchedule';
import type { ModelRuntime } from '../runtime';
import type { ArtifactStore } from '../store';
import { validateCandidate, type ValidateInput } from './validate/validateCandidate';
import { sendNotification, type NotificationDelivery, type SendNotificationInput } from './notify/sendNotification';
import { webhooksFromEnv } from './notify/workerWebhooks';

export interface ActivityDeps {
  store: ArtifactStore;
  runtime: ModelRuntime;
  /** Bearer token of the gateways' admin routes. */
  adminToken?: string;
  /** Where sources may be read from and how large they may be; default: from `MODELSHIP_SOURCE_*` (see `sourcePolicy.ts`). */
  sources?: SourcePolicy;
  /** The worker's own webhooks, told of every event (besides the spec's); default: `MODELSHIP_WEBHOOKS`. */
  webhooks?: Webhook[];
  /** The Temporal UI's base URL, for links in notifications; default: `MODELSHIP_UI_URL`. */
  uiUrl?: string;
}

/** Activities that run on the hardware a stage targets (CPU and GPU workers both register them). */
export function createModelActivities(deps: ActivityDeps) {
  const ports = () => ({ store: deps.store, runtime: deps.runtime, context: currentActivityContext() });
  return {
    async validateCandidate(input: ValidateInput): Promise<ValidationReport> {
      return validateCandidate(ports(), input);
    },
    async benchmarkCandidates(input: BenchmarkInput): Promise<BenchmarkReport> {
      return benchmarkCandidates(ports(), input);
    },
  };
}

/** CPU-queue activities: everything, including the hardware-independent stages. */
export function createActivities(deps: ActivityDeps) {
  const sources = deps.sources ?? sourcePolicyFromEnv(process.env, { storeUri: deps.store.uri });
  const ports = () => ({ store: deps.store, runtime: deps.runtime, context: currentActivityContext(), sources });
  const notifications = { webhooks: deps.webhooks ?? webhooksFromEnv(), uiUrl: deps.uiUrl ?? (process.env.MODELSHIP_UI_URL || undefined) };
  return {
    ...createModelActivities(deps),
    async ingestModel(input: IngestInput): Promise<StoredSource> {
      return ingestModel(ports(), input);
    },
    async convertModel(input: ConvertInput): Promise<ConversionReport & { evaluationDigest?: string }> {
      return convertModel(ports(), input);
    },
    async optimizeModel(input: OptimizeInput): Promise<ModelArtifact | SkippedPass> {
      return optimizeModel(ports(), input);
    },
    async writeReport(status: DeploymentStatus): Promise<ReportLocation> {
      return writeDeploymentReport(deps.store, status);
    },
    async releaseVersion(input: ReleaseInput): Promise<ReleaseReport> {
      return releaseVersion({ store: deps.store, context: currentActivityContext(), adminToken: deps.adminToken }, input);
    },
    async applyRouting(input: ApplyRoutingInput): Promise<ReleaseReport> {
      return applyRouting({ store: deps.store, context: currentActivityContext(), adminToken: deps.adminToken }, input);
    },
    async readStable(input: { endpoint: string }): Promise<RoutedVersion | null> {
      return (await stableVersion(deps.store, input.endpoint)) ?? null;
    },
    async checkReturnTarget(input: ReturnTargetInput): Promise<ReturnTargetCheck> {
      return checkReturnTarget(deps.store, input);
    },
    async writeKeptVersions(input: KeptVersionsInput): Promise<void> {
      return writeKeptVersions(deps.store, input);
    },
    async refuseUnstartedDeployment(input: DeploymentStartInput): Promise<string | null> {
      return refuseUnstartedDeployment(input);
    },
    async checkActiveDeployment(input: { endpoint: string; workflowId: string }): Promise<ActiveDeploymentCheck> {
      return checkActiveDeployment(input);
    },
    async analyzeCanary(input: AnalyzeInput): Promise<AnalysisVerdict> {
      return analyzeCanary(deps.store, deps.adminToken, input);
    },
    async verifyServing(input: { endpoint: string; version: string }): Promise<ServingCheck> {
      return verifyServing(deps.store, input.endpoint, input.version, undefined, () => currentActivityContext().heartbeat());
    },
    async probeServing(input: { endpoint: string } & ProbeOptions): Promise<ServingCheck> {
      return probeServing(deps.store, input.endpoint, input, () => currentActivityContext().heartbeat());
    },
    async checkDrift(input: CheckDriftInput): Promise<DriftCheckResult> {
      return checkDrift(deps.store, input);
    },
    async rollBackForDrift(input: DriftRollbackInput): Promise<string> {
      return rollBackForDrift(deps.store, input);
    },
    /** Creates or updates the endpoint's drift schedule (`drift/<endpoint>`), with the worker's client. */
    async scheduleDriftChecks(input: DriftCheckRequest): Promise<'created' | 'updated'> {
      return ensureDriftSchedule(Context.current().client, input);
    },
    /** Deletes the endpoint's drift schedule (its endpoint is gone); false when it had none. */
    async unscheduleDriftChecks(input: { endpoint: string }): Promise<boolean> {
      return deleteDriftSchedule(Context.current().client, input.endpoint);
    },
    async sendNotification(input: SendNotificationInput): Promise<NotificationDelivery> {
      return sendNotification(currentActivityContext(), input, notifications);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type ModelActivities = ReturnType<typeof createModelActivities>;
export type {
  AnalyzeInput,
  ApplyRoutingInput,
  BenchmarkInput,
  CheckDriftInput,
  ConvertInput,
  DriftRollbackInput,
  DeploymentStartInput,
  IngestInput,
  KeptVersionsInput,
  OptimizeInput,
  ReleaseInput,
  ReturnRefusal,
  ReturnTargetCheck,
  ReturnTargetInput,
  SendNotificationInput,
  SourcePolicy,
  StoredSource,
  ValidateInput,
};
export { sourcePolicyFromEnv } from './ingest/sourcePolicy';

// For activities of your own (e.g. a check between stages): read a model by digest, verified.
export { getModel, openStore, storeKeys, type ArtifactStore } from '../store';
export * from '../sdk/errors'; // ModelshipError and every error class, as from each entry
