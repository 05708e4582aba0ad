/**
 * `deployModel`: one version of a model through ingest → validate → benchmark → release.
 *
 * Deterministic: imports only `@temporalio/workflow` and pure `sdk/` modules. Every stage result is
 * a content-addressed artifact or a typed report, kept in the status (query), memo and result.
 * A refused model ends with outcome `rejected` and the reason; it does not fail the workflow.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  setHandler,
  TimeoutFailure,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { deploymentStatusQuery } from '../sdk/definitions';
import { isFailureType, REJECTION_TYPES, type FailureType } from '../sdk/errors';
import { ACTIVITY_TASK_QUEUES, SEARCH_ATTRIBUTES } from '../sdk/names';
import type { DeploymentFailure, DeploymentResult, DeploymentStatus, Phase, PipelineSpec, StageName, StageState } from '../sdk/schemas';

const STAGE_PHASES: Record<StageName, Phase> = {
  ingest: 'Ingesting',
  validate: 'Validating',
  benchmark: 'Benchmarking',
  release: 'Releasing',
};

/** Retries for infrastructure errors; bad models fail at once (non-retryable). */
const RETRY = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 8 } as const;

export async function deployModel(spec: PipelineSpec): Promise<DeploymentResult> {
  const status: DeploymentStatus = {
    workflowId: workflowInfo().workflowId,
    endpoint: spec.endpoint,
    version: spec.version,
    phase: 'Pending',
    stages: (['ingest', 'validate', 'benchmark', 'release'] as const).map((name) => ({ name, status: 'pending' })),
  };
  setHandler(deploymentStatusQuery, () => status);

  const stageActivities = (timeoutMs: number, summary: string) =>
    proxyActivities<Activities>({
      taskQueue: ACTIVITY_TASK_QUEUES.cpu,
      startToCloseTimeout: timeoutMs,
      scheduleToStartTimeout: spec.scheduleToStartTimeout,
      heartbeatTimeout: Math.min(timeoutMs, 30_000),
      retry: RETRY,
      summary,
    });

  const stage = (name: StageName): StageState => status.stages.find((s) => s.name === name) as StageState;

  async function run<T>(name: StageName, body: () => Promise<T>, describe: (result: T) => string): Promise<T> {
    const state = stage(name);
    state.status = 'running';
    state.startedAt = new Date().toISOString();
    setPhase(STAGE_PHASES[name]);
    try {
      const result = await body();
      state.status = 'succeeded';
      state.summary = describe(result);
      return result;
    } catch (error) {
      state.status = 'failed';
      const failure = toDeploymentFailure(name, error);
      state.summary = failure.message;
      throw new StageFailed(failure);
    } finally {
      state.finishedAt = new Date().toISOString();
    }
  }

  function setPhase(phase: Phase): void {
    status.phase = phase;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.phase, value: phase }]);
  }

  function finish(outcome: DeploymentResult['outcome']): DeploymentResult {
    for (const s of status.stages) if (s.status === 'pending') s.status = 'skipped';
    setPhase(outcome === 'promoted' ? 'Promoted' : outcome === 'rejected' ? 'Rejected' : 'Failed');
    upsertMemo({
      outcome,
      digest: status.artifact?.digest,
      failure: status.failure ? `${status.failure.type}: ${status.failure.message}` : undefined,
    });
    return { ...status, outcome };
  }

  try {
    const { ingest, validate, benchmark } = spec.stages;
    const rollout = spec.rollout;

    status.artifact = await run(
      'ingest',
      () =>
        stageActivities(ingest.timeout, `ingest ${spec.model.source}`).ingestModel({
          source: spec.model.source,
          format: spec.model.format,
        }),
      (a) => `stored ${a.key} (${a.sizeBytes} bytes)`,
    );
    const artifact = status.artifact;

    status.validation = await run(
      'validate',
      () =>
        stageActivities(validate.timeout, `validate ${artifact.digest.slice(0, 12)}`).validateModel({
          artifact,
          smokeTest: validate.smokeTest,
          lineage: { source: spec.model.source, pass: 'ingest', parameters: {}, toolVersions: {} },
        }),
      (r) =>
        `loads in onnxruntime ${r.runtime.ortVersion}: ${r.io.inputs.length} input(s), ${r.io.outputs.length} output(s)` +
        (r.smokeTest ? ', finite outputs on synthetic inputs' : ''),
    );

    if (benchmark.enabled) {
      status.benchmark = await run(
        'benchmark',
        () =>
          stageActivities(benchmark.timeout, `benchmark on ${benchmark.target}, batch ${benchmark.batchSize}`).benchmarkModel({
            artifact,
            target: benchmark.target,
            batchSize: benchmark.batchSize,
            warmupRuns: benchmark.warmupRuns,
            runs: benchmark.runs,
          }),
        (r) =>
          `p50 ${r.latencyMs.p50.toFixed(3)} ms, p99 ${r.latencyMs.p99.toFixed(3)} ms, ${r.throughputPerSec.toFixed(0)}/s on ${r.runtime.executionProvider}`,
      );
    } else {
      stage('benchmark').status = 'skipped';
    }

    status.release = await run(
      'release',
      () =>
        stageActivities(rollout.timeout + 30_000, `release ${spec.version} to ${spec.endpoint} at 100%`).releaseVersion({
          endpoint: spec.endpoint,
          version: spec.version,
          digest: artifact.digest,
          timeoutMs: rollout.timeout,
          minReplicas: rollout.minReplicas,
          updatedBy: workflowInfo().workflowId,
          serving: spec.serving,
        }),
      (r) => `generation ${r.generation} applied by ${r.replicas.length} replica(s)`,
    );
    return finish('promoted');
  } catch (error) {
    if (!(error instanceof StageFailed)) throw error;
    status.failure = error.failure;
    return finish(REJECTION_TYPES.has(error.failure.type) ? 'rejected' : 'failed');
  }
}

class StageFailed extends Error {
  constructor(readonly failure: DeploymentFailure) {
    super(failure.message);
  }
}

/** Maps an activity failure to a typed reason: the application failure's type, or infrastructure. */
function toDeploymentFailure(stage: StageName, error: unknown): DeploymentFailure {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && isFailureType(cause.type)) {
    return { type: cause.type, stage, message: cause.message };
  }
  if (cause instanceof TimeoutFailure) {
    const type: FailureType = 'InfrastructureError';
    const message =
      cause.timeoutType === 'SCHEDULE_TO_START'
        ? `no worker picked up the ${stage} stage in time: is a worker polling its task queue?`
        : `the ${stage} stage timed out (${cause.timeoutType ?? 'unknown'} timeout)`;
    return { type, stage, message };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return { type: 'InfrastructureError', stage, message };
}
