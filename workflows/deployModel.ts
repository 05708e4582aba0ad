/**
 * `deployModel`: one version of a model through ingest → convert → optimize → validate →
 * benchmark → release.
 *
 * Per target (`cpu`, `gpu`) the pipeline builds candidates (the fp32 conversion, and one per
 * optimization pass), validates each against the source framework's outputs, benchmarks those that
 * pass on the target's workers, and selects the fastest; the gateway serves the CPU pick. A refused
 * model ends with outcome `rejected` and the reason; it does not fail the workflow.
 *
 * Deterministic: imports only `@temporalio/workflow` and pure `sdk/` modules.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  TimeoutFailure,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, ModelActivities } from '../activities';
import { deploymentProgressSignal, deploymentStatusQuery, type DeploymentProgress } from '../sdk/definitions';
import { isFailureType, REJECTION_TYPES } from '../sdk/errors';
import { ACTIVITY_TASK_QUEUES, endpointWorkflowId, SEARCH_ATTRIBUTES } from '../sdk/names';
import type {
  BenchmarkReport,
  Candidate,
  DeploymentFailure,
  DeploymentResult,
  DeploymentStatus,
  Phase,
  PipelineSpec,
  StageName,
  StageState,
  Target,
} from '../sdk/schemas';
import { canaryRollout } from './canaryRollout';
import { selectCandidate } from './candidateSelection';
import { deploymentDetails } from './details';

const STAGE_PHASES: Record<StageName, Phase> = {
  ingest: 'Ingesting',
  convert: 'Converting',
  optimize: 'Optimizing',
  validate: 'Validating',
  benchmark: 'Benchmarking',
  release: 'Releasing',
};

/** Retries for infrastructure errors; bad models fail at once (non-retryable). */
const RETRY = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 8 } as const;

/** A stage's failure, carried to the top of the workflow. */
class StageFailed extends Error {
  constructor(
    readonly failure: DeploymentFailure,
    readonly rolledBack = false,
  ) {
    super(failure.message);
  }
}

/** The canary was rolled back: traffic is on the stable version again. */
class RolledBack extends StageFailed {
  constructor(failure: DeploymentFailure) {
    super(failure, true);
  }
}

export async function deployModel(spec: PipelineSpec): Promise<DeploymentResult> {
  const { workflowId } = workflowInfo();
  const status: DeploymentStatus = {
    workflowId,
    endpoint: spec.endpoint,
    version: spec.version,
    phase: 'Pending',
    stages: (['ingest', 'convert', 'optimize', 'validate', 'benchmark', 'release'] as const).map((name) => ({ name, status: 'pending' })),
    candidates: [],
    benchmarks: [],
  };
  setHandler(deploymentStatusQuery, () => status);
  const changed = progressReporter(status);
  const { ingest, convert, optimize, validate, benchmark } = spec.stages;

  /** Activities on the CPU queue, with a stage's timeout and a summary for the UI. */
  const cpu = (timeoutMs: number, summary: string) =>
    proxyActivities<Activities>({ ...activityOptions(timeoutMs, summary), taskQueue: ACTIVITY_TASK_QUEUES.cpu });
  /** Hardware-bound activities on the queue of the target. */
  const on = (target: Target, timeoutMs: number, summary: string) =>
    proxyActivities<ModelActivities>({ ...activityOptions(timeoutMs, summary), taskQueue: ACTIVITY_TASK_QUEUES[target] });
  function activityOptions(timeoutMs: number, summary: string) {
    return {
      startToCloseTimeout: timeoutMs,
      scheduleToStartTimeout: spec.scheduleToStartTimeout,
      heartbeatTimeout: Math.min(timeoutMs, 60_000),
      retry: RETRY,
      summary,
    };
  }

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
      const failure = error instanceof StageFailed ? error.failure : toDeploymentFailure(name, error);
      state.summary = failure.message;
      throw error instanceof StageFailed ? error : new StageFailed(failure);
    } finally {
      state.finishedAt = new Date().toISOString();
      changed();
    }
  }

  function setPhase(phase: Phase): void {
    status.phase = phase;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.phase, value: phase }]);
    changed();
  }

  async function finish(outcome: DeploymentResult['outcome']): Promise<DeploymentResult> {
    for (const s of status.stages) if (s.status === 'pending') s.status = 'skipped';
    if (status.conversion) {
      try {
        status.report = await cpu(60_000, 'write the deployment report').writeReport(status);
      } catch (error) {
        log.warn('the deployment report could not be written', { error: String(error) });
      }
    }
    const phases: Record<DeploymentResult['outcome'], Phase> = { promoted: 'Promoted', rejected: 'Rejected', rolledBack: 'RolledBack', failed: 'Failed' };
    setPhase(phases[outcome]);
    upsertMemo({
      outcome,
      digest: status.artifact?.digest,
      failure: status.failure ? `${status.failure.type}: ${status.failure.message}` : undefined,
      report: status.report?.uri,
    });
    return { ...status, outcome };
  }

  try {
    status.source = await run(
      'ingest',
      () => cpu(ingest.timeout, `ingest ${spec.model.source}`).ingestModel({ source: spec.model.source }),
      (s) => `stored ${s.key} (${s.sizeBytes} bytes)`,
    );
    const source = status.source;

    const conversion = await run(
      'convert',
      () =>
        cpu(convert.timeout, `convert ${spec.model.format} → ONNX (opset ${convert.opset})`).convertModel({
          sourceKey: source.key,
          sourceUri: spec.model.source,
          format: spec.model.format,
          inputs: spec.model.inputs,
          outputNames: spec.model.outputNames,
          opset: convert.opset,
          golden: convert.golden,
          evaluationSource: validate.evaluation?.source,
          timeoutMs: convert.timeout,
        }),
      (c) => `${spec.model.format} → ${c.artifact.key} (${c.artifact.sizeBytes} bytes); reference outputs on ${c.goldenCount} golden inputs`,
    );
    status.conversion = conversion;
    const base = conversion.artifact;

    // Candidates per target: the fp32 conversion, then one per pass (a pass shared by targets runs once).
    const passes = [...new Set(spec.targets.flatMap((t) => (optimize.enabled ? optimize.passes[t] : [])))];
    for (const target of spec.targets) {
      status.candidates.push({ label: 'fp32', target, pass: 'convert', artifact: base, selected: false, verdict: '' });
    }
    await run(
      'optimize',
      async () => {
        const made = await Promise.all(
          passes.map(async (pass) => {
            try {
              return { pass, artifact: await cpu(optimize.timeout, `optimize: ${pass}`).optimizeModel({ artifact: base, pass, timeoutMs: optimize.timeout }) };
            } catch (error) {
              return { pass, error: toDeploymentFailure('optimize', error) };
            }
          }),
        );
        for (const target of spec.targets) {
          for (const pass of optimize.enabled ? optimize.passes[target] : []) {
            const result = made.find((m) => m.pass === pass);
            if (result?.error && !REJECTION_TYPES.has(result.error.type) && result.error.type !== 'OptimizationFailed') {
              throw new StageFailed(result.error);
            }
            status.candidates.push({
              label: pass,
              target,
              pass,
              artifact: result?.artifact,
              parentDigest: base.digest,
              selected: false,
              verdict: result?.error ? `not selected: the ${pass} pass failed: ${result.error.message}` : '',
            });
          }
        }
        return made;
      },
      (made) =>
        passes.length === 0
          ? 'no passes'
          : made.map((m) => (m.artifact ? `${m.pass} → ${(m.artifact.sizeBytes / 1024).toFixed(1)} KiB` : `${m.pass} failed`)).join(', '),
    );

    await run(
      'validate',
      async () => {
        for (const target of spec.targets) {
          const validateOn = (candidate: Candidate, baselineAccuracy?: number) =>
            on(target, validate.timeout, `validate ${candidate.label} on ${target}`).validateCandidate({
              artifact: candidate.artifact as NonNullable<Candidate['artifact']>,
              pass: candidate.pass,
              target,
              smokeTest: validate.smokeTest,
              task: spec.model.task,
              scoreOutput: spec.model.scoreOutput,
              tolerances: validate.tolerances,
              int8MinAgreement: validate.int8MinAgreement,
              referenceDigest: conversion.referenceDigest,
              goldenDigest: conversion.goldenDigest,
              evaluation:
                validate.evaluation && conversion.evaluationDigest
                  ? { digest: conversion.evaluationDigest, labels: validate.evaluation.labels, maxAccuracyDrop: validate.evaluation.maxAccuracyDrop, baselineAccuracy }
                  : undefined,
              endpoint: spec.endpoint,
              allowBreakingChanges: validate.allowBreakingChanges,
              timeoutMs: validate.timeout,
            });
          const forTarget = status.candidates.filter((c) => c.target === target);
          const baseCandidate = forTarget.find((c) => c.pass === 'convert') as Candidate;
          baseCandidate.validation = await validateOn(baseCandidate);
          if (!baseCandidate.validation.passed) {
            status.validation = baseCandidate.validation;
            const breaking = baseCandidate.validation.ioContract && baseCandidate.validation.ioContract.breaking.length > 0 && !validate.allowBreakingChanges;
            throw new StageFailed({
              type: breaking ? 'IoContractBroken' : 'ModelValidationFailed',
              stage: 'validate',
              message: baseCandidate.validation.reasons.join('; '),
            });
          }
          const baselineAccuracy = baseCandidate.validation.accuracy?.value;
          await Promise.all(
            forTarget
              .filter((c) => c !== baseCandidate && c.artifact)
              .map(async (c) => {
                c.validation = await validateOn(c, baselineAccuracy);
              }),
          );
        }
        return status.candidates.filter((c) => c.validation?.passed).length;
      },
      (passed) => `${passed} of ${status.candidates.length} candidate(s) pass (parity against the source model${validate.evaluation ? ', accuracy' : ''})`,
    );

    if (benchmark.enabled) {
      await run(
        'benchmark',
        async () => {
          for (const target of spec.targets) {
            const measured = status.candidates.filter((c) => c.target === target && c.validation?.passed && c.artifact);
            const report: BenchmarkReport = await on(target, benchmark.timeout, `benchmark ${measured.length} candidate(s) on ${target}`).benchmarkCandidates({
              target,
              candidates: measured.map((c) => ({ label: c.label, digest: (c.artifact as NonNullable<Candidate['artifact']>).digest })),
              baselineEndpoint: spec.endpoint,
              batchSizes: benchmark.batchSizes,
              warmupRuns: benchmark.warmupRuns,
              windowRuns: benchmark.windowRuns,
              stabilityTolerance: benchmark.stabilityTolerance,
              budgetMs: benchmark.budget,
            });
            status.benchmarks.push(report);
            for (const c of measured) c.benchmark = report.candidates.find((r) => r.label === c.label);
          }
          return status.benchmarks;
        },
        (reports) =>
          reports
            .map((r) => `${r.target}: ${r.candidates.map((c) => `${c.label} p50 ${c.batches[0]?.latencyMs.p50.toFixed(3)} ms`).join(', ')}${r.baseline ? ` (stable ${r.baseline.batches[0]?.latencyMs.p50.toFixed(3)} ms)` : ''}`)
            .join('; '),
      );
    } else {
      stage('benchmark').status = 'skipped';
    }

    // Select per target, then gate the serving pick against the endpoint's stable version.
    const picks = new Map<Target, Candidate>();
    for (const target of spec.targets) {
      picks.set(target, selectCandidate(status.candidates.filter((c) => c.target === target), benchmark.minSpeedupPercent / 100));
    }
    const servingTarget: Target = spec.targets.includes('cpu') ? 'cpu' : (spec.targets[0] as Target);
    const serving = picks.get(servingTarget) as Candidate;
    status.artifact = serving.artifact;
    status.validation = serving.validation;
    const baseline = status.benchmarks.find((b) => b.target === servingTarget)?.baseline;
    const pickP50 = serving.benchmark?.batches[0]?.latencyMs.p50;
    const baselineP50 = baseline?.batches[0]?.latencyMs.p50;
    if (pickP50 !== undefined && baselineP50 !== undefined && pickP50 > baselineP50 * (1 + benchmark.maxRegressionPercent / 100)) {
      const message = `${serving.label} is ${((pickP50 / baselineP50 - 1) * 100).toFixed(1)}% slower than ${baseline?.label} (p50 ${pickP50.toFixed(3)} ms vs ${baselineP50.toFixed(3)} ms; at most ${benchmark.maxRegressionPercent}% allowed)`;
      stage('benchmark').status = 'failed';
      stage('benchmark').summary = message;
      throw new StageFailed({ type: 'BenchmarkRegressed', stage: 'benchmark', message });
    }

    const artifact = serving.artifact as NonNullable<Candidate['artifact']>;
    const rollout = spec.rollout;
    const releaseActivities = cpu(rollout.timeout + 30_000, `roll out ${spec.version} (${serving.label}) to ${spec.endpoint}`);
    const stable = rollout.strategy !== 'direct' ? await cpu(60_000, `read the stable version of ${spec.endpoint}`).readStable({ endpoint: spec.endpoint }) : null;
    if (rollout.strategy !== 'direct' && stable && stable.version !== spec.version) {
      const canary = await run(
        'release',
        async () => {
          setPhase(rollout.strategy === 'canary' ? 'Canary' : 'BlueGreen');
          const result = await canaryRollout({ ...spec, rollout }, status, stable, artifact, releaseActivities, workflowId, changed);
          if (result.outcome === 'rolledBack') throw new RolledBack(result.failure as DeploymentFailure);
          return result.release as NonNullable<typeof result.release>;
        },
        (r) => `${rollout.strategy} rollout of ${serving.label} passed ${status.rollout?.steps.length ?? 0} step(s); promoted: generation ${r.generation} applied by ${r.replicas.length} replica(s)`,
      );
      status.release = canary;
    } else {
      status.release = await run(
        'release',
        () =>
          releaseActivities.releaseVersion({
            endpoint: spec.endpoint,
            version: spec.version,
            digest: artifact.digest,
            timeoutMs: rollout.timeout,
            minReplicas: rollout.minReplicas,
            updatedBy: workflowId,
            serving: spec.serving,
          }),
        (r) =>
          `${serving.label} (${artifact.digest.slice(0, 12)}): generation ${r.generation} applied by ${r.replicas.length} replica(s)` +
          (rollout.strategy !== 'direct' ? ` (no stable version to compare with: ${rollout.strategy} skipped, released directly)` : ''),
      );
    }
    return await finish('promoted');
  } catch (error) {
    if (!(error instanceof StageFailed)) throw error;
    status.failure = error.failure;
    if (error.rolledBack) return await finish('rolledBack');
    return await finish(REJECTION_TYPES.has(error.failure.type) ? 'rejected' : 'failed');
  }
}

/**
 * Keeps the UI's current details in step with the status, and tells the endpoint workflow that
 * started this deployment (if one did) its phase, canary weight and routing generation.
 */
function progressReporter(status: DeploymentStatus): (change?: { weight?: number; generation?: number }) => void {
  const parent = workflowInfo().parent;
  const endpoint = parent?.workflowId === endpointWorkflowId(status.endpoint) ? getExternalWorkflowHandle(parent.workflowId, parent.runId) : undefined;
  let lastSent = '';
  let weight: number | undefined;
  let generation: number | undefined;
  return (change = {}) => {
    setCurrentDetails(deploymentDetails(status));
    weight = change.weight ?? weight;
    generation = change.generation ?? generation;
    const progress: DeploymentProgress = { workflowId: status.workflowId, phase: status.phase, weight, generation };
    const key = JSON.stringify(progress);
    if (!endpoint || key === lastSent) return;
    lastSent = key;
    endpoint.signal(deploymentProgressSignal, progress).catch((error: unknown) => log.warn('could not report progress to the endpoint', { error: String(error) }));
  };
}

/** Maps an activity failure to a typed reason: the application failure's type, or infrastructure. */
function toDeploymentFailure(stage: StageName, error: unknown): DeploymentFailure {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && isFailureType(cause.type)) {
    return { type: cause.type, stage, message: cause.message };
  }
  if (cause instanceof TimeoutFailure) {
    const queue = error instanceof ActivityFailure ? ` (${describeActivity(error)})` : '';
    const message =
      cause.timeoutType === 'SCHEDULE_TO_START'
        ? `no worker picked up the ${stage} stage in time${queue}: is a worker polling its task queue (modelship-cpu, or modelship-gpu for GPU targets)?`
        : `the ${stage} stage timed out (${cause.timeoutType ?? 'unknown'} timeout)`;
    return { type: 'InfrastructureError', stage, message };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return { type: 'InfrastructureError', stage, message };
}

function describeActivity(error: ActivityFailure): string {
  return `activity ${error.activityType}`;
}
