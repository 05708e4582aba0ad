/**
 * The stages of a deployment as functions, for workflows of your own: `deployModel` is exactly
 * `ingestStage → convertStage → optimizeStage → validateStage → benchmarkStage → selectStage →
 * releaseStage` inside {@link runDeployment}; a team can put its own stage (an activity on its own
 * task queue: a fairness check, a ticket update) anywhere in between with {@link customStage}, and
 * keep Modelship's status query, UI details, verdicts, endpoint admission and rollback.
 *
 * @example
 * import { proxyActivities } from '@temporalio/workflow';
 * import { benchmarkStage, convertStage, customStage, ingestStage, optimizeStage, releaseStage, runDeployment, selectStage, validateStage } from 'modelship/workflows';
 * import type { DeploymentResult, PipelineSpec } from 'modelship/schemas';
 * import type { FairnessActivities } from './activities';
 *
 * const { checkFairness } = proxyActivities<FairnessActivities>({ taskQueue: 'model-governance', startToCloseTimeout: '5m' });
 *
 * export async function deployWithFairnessCheck(spec: PipelineSpec): Promise<DeploymentResult> {
 *   return runDeployment(spec, async (d) => {
 *     await ingestStage(d);
 *     await convertStage(d);
 *     await optimizeStage(d);
 *     await validateStage(d);
 *     await benchmarkStage(d);
 *     const serving = selectStage(d);
 *     await customStage(d, 'fairness', () => checkFairness({ digest: serving.artifact!.digest }), (r) => `max group gap ${r.gap}`);
 *     await releaseStage(d, serving);
 *   });
 * }
 *
 * Deterministic: imports only `@temporalio/workflow` and pure `sdk/` modules.
 */
import {
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, ModelActivities } from '../activities';
import { deploymentProgressSignal, deploymentStatusQuery, type DeploymentProgress } from '../sdk/definitions';
import { REJECTION_TYPES } from '../sdk/errors';
import { ACTIVITY_TASK_QUEUES, endpointWorkflowId, SEARCH_ATTRIBUTES } from '../sdk/names';
import type {
  BenchmarkReport,
  Candidate,
  ConversionReport,
  DeploymentFailure,
  DeploymentResult,
  DeploymentStatus,
  Phase,
  PipelineSpec,
  RoutedVersion,
  StageName,
  StageState,
  Target,
} from '../sdk/schemas';
import { canaryRollout } from './canaryRollout';
import { selectCandidate } from './candidateSelection';
import { deploymentDetails } from './details';
import { toDeploymentFailure } from './failures';

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
export class StageFailed extends Error {
  constructor(
    readonly failure: DeploymentFailure,
    readonly rolledBack = false,
  ) {
    super(failure.message);
  }
}

/** What every stage works on: the spec, the status it fills in, and the plumbing. */
export interface Deployment {
  readonly spec: PipelineSpec;
  /** The live status (answered to the `status` query; the result is this plus the outcome). */
  readonly status: DeploymentStatus;
  /** Modelship activities on the CPU queue, with a timeout and a summary for the UI. */
  cpu(timeoutMs: number, summary: string): Activities;
  /** Hardware-bound activities on the queue of `target`. */
  on(target: Target, timeoutMs: number, summary: string): ModelActivities;
  /** Runs `body` as the stage `name`: its state, timing, summary and failure are recorded. */
  stage<T>(name: string, body: () => Promise<T>, describe: (result: T) => string): Promise<T>;
  setPhase(phase: Phase): void;
  /** Tells the UI and the endpoint that something changed. */
  changed(change?: { weight?: number; generation?: number }): void;
}

/**
 * Runs a pipeline of stages as one deployment: registers the status query, keeps the UI's details
 * and the endpoint informed, and turns the outcome into a {@link DeploymentResult} — a refused
 * model is `rejected`, a rolled back rollout `rolledBack`, with the reason; neither fails the workflow.
 */
export async function runDeployment(spec: PipelineSpec, pipeline: (deployment: Deployment) => Promise<void>): Promise<DeploymentResult> {
  const d = createDeployment(spec);
  try {
    await pipeline(d);
    return await finish(d, 'promoted');
  } catch (error) {
    if (!(error instanceof StageFailed)) throw error;
    if (d.status.release && !error.rolledBack) {
      // A stage after the release failed (e.g. a ticket update): the version serves, and stays
      // promoted; the failed stage says what went wrong.
      log.warn('a stage after the release failed; the release stands', { failure: error.failure });
      return await finish(d, 'promoted');
    }
    d.status.failure = error.failure;
    if (error.rolledBack) return await finish(d, 'rolledBack');
    return await finish(d, REJECTION_TYPES.has(error.failure.type) ? 'rejected' : 'failed');
  }
}

function createDeployment(spec: PipelineSpec): Deployment {
  const { workflowId } = workflowInfo();
  const status: DeploymentStatus = {
    workflowId,
    endpoint: spec.endpoint,
    version: spec.version,
    phase: 'Pending',
    stages: (Object.keys(STAGE_PHASES) as StageName[]).map((name) => ({ name, status: 'pending' })),
    candidates: [],
    benchmarks: [],
  };
  setHandler(deploymentStatusQuery, () => status);
  const changed = progressReporter(status);

  function activityOptions(timeoutMs: number, summary: string) {
    return {
      startToCloseTimeout: timeoutMs,
      scheduleToStartTimeout: spec.scheduleToStartTimeout,
      heartbeatTimeout: Math.min(timeoutMs, 60_000),
      retry: RETRY,
      summary,
    };
  }

  function setPhase(phase: Phase): void {
    status.phase = phase;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.phase, value: phase }]);
    changed();
  }

  /** The stage's state; a custom stage is added before the first stage that has not started. */
  function stageState(name: string): StageState {
    const existing = status.stages.find((s) => s.name === name);
    if (existing) return existing;
    const added: StageState = { name, status: 'pending' };
    const firstPending = status.stages.findIndex((s) => s.status === 'pending');
    status.stages.splice(firstPending === -1 ? status.stages.length : firstPending, 0, added);
    return added;
  }

  return {
    spec,
    status,
    cpu: (timeoutMs, summary) => proxyActivities<Activities>({ ...activityOptions(timeoutMs, summary), taskQueue: ACTIVITY_TASK_QUEUES.cpu }),
    on: (target, timeoutMs, summary) => proxyActivities<ModelActivities>({ ...activityOptions(timeoutMs, summary), taskQueue: ACTIVITY_TASK_QUEUES[target] }),
    setPhase,
    changed,
    async stage<T>(name: string, body: () => Promise<T>, describe: (result: T) => string): Promise<T> {
      const state = stageState(name);
      state.status = 'running';
      state.startedAt = new Date().toISOString();
      if (name in STAGE_PHASES) setPhase(STAGE_PHASES[name as StageName]);
      else changed();
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
    },
  };
}

async function finish(d: Deployment, outcome: DeploymentResult['outcome']): Promise<DeploymentResult> {
  const status = d.status;
  for (const s of status.stages) if (s.status === 'pending') s.status = 'skipped';
  if (status.conversion) {
    try {
      status.report = await d.cpu(60_000, 'write the deployment report').writeReport(status);
    } catch (error) {
      log.warn('the deployment report could not be written', { error: String(error) });
    }
  }
  const phases: Record<DeploymentResult['outcome'], Phase> = { promoted: 'Promoted', rejected: 'Rejected', rolledBack: 'RolledBack', failed: 'Failed' };
  d.setPhase(phases[outcome]);
  upsertMemo({
    outcome,
    digest: status.artifact?.digest,
    failure: status.failure ? `${status.failure.type}: ${status.failure.message}` : undefined,
    report: status.report?.uri,
  });
  return { ...status, outcome };
}

/** Stores the model source, content-addressed. */
export async function ingestStage(d: Deployment): Promise<NonNullable<DeploymentStatus['source']>> {
  const { spec, status } = d;
  status.source = await d.stage(
    'ingest',
    () => d.cpu(spec.stages.ingest.timeout, `ingest ${spec.model.source}`).ingestModel({ source: spec.model.source }),
    (s) => `stored ${s.key} (${s.sizeBytes} bytes)`,
  );
  return status.source;
}

/** Converts the source to ONNX and records the source framework's answers on golden inputs. */
export async function convertStage(d: Deployment): Promise<ConversionReport> {
  const { spec, status } = d;
  const source = status.source ?? fail('convert', 'convertStage needs ingestStage first');
  const { convert, validate } = spec.stages;
  const conversion = await d.stage(
    'convert',
    () =>
      d.cpu(convert.timeout, `convert ${spec.model.format} → ONNX (opset ${convert.opset})`).convertModel({
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
  return conversion;
}

/** Candidates per target: the fp32 conversion, then one per optimization pass (a pass shared by targets runs once). */
export async function optimizeStage(d: Deployment): Promise<Candidate[]> {
  const { spec, status } = d;
  const { optimize } = spec.stages;
  const base = (status.conversion ?? fail('optimize', 'optimizeStage needs convertStage first')).artifact;
  const passes = [...new Set(spec.targets.flatMap((t) => (optimize.enabled ? optimize.passes[t] : [])))];
  for (const target of spec.targets) {
    status.candidates.push({ label: 'fp32', target, pass: 'convert', artifact: base, selected: false, verdict: '' });
  }
  await d.stage(
    'optimize',
    async () => {
      const made = await Promise.all(
        passes.map(async (pass) => {
          try {
            return { pass, artifact: await d.cpu(optimize.timeout, `optimize: ${pass}`).optimizeModel({ artifact: base, pass, timeoutMs: optimize.timeout }) };
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
      passes.length === 0 ? 'no passes' : made.map((m) => (m.artifact ? `${m.pass} → ${(m.artifact.sizeBytes / 1024).toFixed(1)} KiB` : `${m.pass} failed`)).join(', '),
  );
  return status.candidates;
}

/**
 * Validates every candidate on its target's workers: structure, IO contract against the stable
 * version, parity against the source framework, accuracy. The fp32 model must pass.
 */
export async function validateStage(d: Deployment): Promise<void> {
  const { spec, status } = d;
  const { validate } = spec.stages;
  const conversion = status.conversion ?? fail('validate', 'validateStage needs convertStage first');
  await d.stage(
    'validate',
    async () => {
      for (const target of spec.targets) {
        const validateOn = (candidate: Candidate, baselineAccuracy?: number) =>
          d.on(target, validate.timeout, `validate ${candidate.label} on ${target}`).validateCandidate({
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
}

/** Benchmarks the candidates that passed validation, on each target's workers, with the stable version measured alongside. */
export async function benchmarkStage(d: Deployment): Promise<BenchmarkReport[]> {
  const { spec, status } = d;
  const { benchmark } = spec.stages;
  if (!benchmark.enabled) {
    stageOf(d, 'benchmark').status = 'skipped';
    return [];
  }
  return d.stage(
    'benchmark',
    async () => {
      for (const target of spec.targets) {
        const measured = status.candidates.filter((c) => c.target === target && c.validation?.passed && c.artifact);
        const report: BenchmarkReport = await d.on(target, benchmark.timeout, `benchmark ${measured.length} candidate(s) on ${target}`).benchmarkCandidates({
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
}

/**
 * Picks a candidate per target (the fastest settled one that passed), then gates the serving pick
 * against the endpoint's stable version. Returns the candidate the gateway will serve.
 */
export function selectStage(d: Deployment): Candidate {
  const { spec, status } = d;
  const { benchmark } = spec.stages;
  const picks = new Map<Target, Candidate>();
  for (const target of spec.targets) {
    try {
      picks.set(target, selectCandidate(status.candidates.filter((c) => c.target === target), benchmark.minSpeedupPercent / 100));
    } catch (error) {
      // A pipeline without validateStage (or one that let a failed base through) has nothing to serve.
      fail('benchmark', `no candidate to serve on ${target}: ${(error as Error).message}`);
    }
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
    stageOf(d, 'benchmark').status = 'failed';
    stageOf(d, 'benchmark').summary = message;
    throw new StageFailed({ type: 'BenchmarkRegressed', stage: 'benchmark', message });
  }
  return serving;
}

/**
 * Puts `serving` in front of traffic by the spec's rollout: at once (`direct`, or when there is no
 * stable version to compare with), or by {@link canaryStage}.
 */
export async function releaseStage(d: Deployment, serving: Candidate): Promise<void> {
  const { spec, status } = d;
  const artifact = serving.artifact ?? fail('release', `candidate ${serving.label} has no artifact`);
  const rollout = spec.rollout;
  const stable = rollout.strategy !== 'direct' ? await d.cpu(60_000, `read the stable version of ${spec.endpoint}`).readStable({ endpoint: spec.endpoint }) : null;
  if (rollout.strategy !== 'direct' && stable && stable.version !== spec.version) {
    await canaryStage(d, serving, stable);
    return;
  }
  status.release = await d.stage(
    'release',
    () =>
      d.cpu(rollout.timeout + 30_000, `roll out ${spec.version} (${serving.label}) to ${spec.endpoint}`).releaseVersion({
        endpoint: spec.endpoint,
        version: spec.version,
        digest: artifact.digest,
        timeoutMs: rollout.timeout,
        minReplicas: rollout.minReplicas,
        updatedBy: status.workflowId,
        serving: spec.serving,
      }),
    (r) =>
      `${serving.label} (${artifact.digest.slice(0, 12)}): generation ${r.generation} applied by ${r.replicas.length} replica(s)` +
      (rollout.strategy !== 'direct' ? ` (no stable version to compare with: ${rollout.strategy} skipped, released directly)` : ''),
  );
}

/**
 * The progressive rollout (`canary` or `blueGreen` in the spec) of `serving` against the endpoint's
 * stable version, as the `release` stage; a rollback ends the deployment as `rolledBack`.
 */
export async function canaryStage(d: Deployment, serving: Candidate, stableVersion?: RoutedVersion): Promise<void> {
  const { spec, status } = d;
  const rollout = spec.rollout;
  if (rollout.strategy === 'direct') fail('release', 'canaryStage needs a canary or blueGreen rollout in the spec');
  const artifact = serving.artifact ?? fail('release', `candidate ${serving.label} has no artifact`);
  const activities = d.cpu(rollout.timeout + 30_000, `roll out ${spec.version} (${serving.label}) to ${spec.endpoint}`);
  const stable =
    stableVersion ??
    (await d.cpu(60_000, `read the stable version of ${spec.endpoint}`).readStable({ endpoint: spec.endpoint })) ??
    fail('release', `${spec.endpoint} has no stable version to roll out against`);
  status.release = await d.stage(
    'release',
    async () => {
      d.setPhase(rollout.strategy === 'canary' ? 'Canary' : 'BlueGreen');
      const result = await canaryRollout({ ...spec, rollout }, status, stable, artifact, activities, status.workflowId, d.changed);
      if (result.outcome === 'rolledBack') throw new StageFailed(result.failure as DeploymentFailure, true);
      return result.release as NonNullable<typeof result.release>;
    },
    (r) => `${rollout.strategy} rollout of ${serving.label} passed ${status.rollout?.steps.length ?? 0} step(s); promoted: generation ${r.generation} applied by ${r.replicas.length} replica(s)`,
  );
}

/**
 * A stage of your own between Modelship's: typically an activity on your task queue. Its state,
 * timing and summary show in the status, the UI and the report. A non-retryable failure of its
 * activity rejects the model (`CustomCheckFailed`, with your failure's type and message).
 */
export function customStage<T>(d: Deployment, name: string, body: () => Promise<T>, describe: (result: T) => string = () => 'done'): Promise<T> {
  return d.stage(name, body, describe);
}

function stageOf(d: Deployment, name: StageName): StageState {
  return d.status.stages.find((s) => s.name === name) as StageState;
}

function fail(stage: string, message: string): never {
  throw new StageFailed({ type: 'InfrastructureError', stage, message });
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
