/**
 * A deployment as stage functions see it: the spec, the live status they fill in, activity proxies
 * per task queue, and `stage()`, which records a stage's state, timing, summary and failure.
 * {@link runDeployment} runs a pipeline of stages as one deployment and turns its end into a
 * {@link DeploymentResult}; the status is answered to the `status` query and to `watchStatus`
 * Updates, shown in the UI's current details, and reported to the admitting endpoint.
 *
 * Deterministic: imports only `@temporalio/workflow` and pure `sdk/` modules.
 */
import {
  condition,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { HandlerUnfinishedPolicy } from '@temporalio/common';
import type { Activities, ModelActivities } from '../activities';
import { deploymentProgressSignal, deploymentStatusQuery, watchStatusUpdate, type DeploymentAdmission, type DeploymentProgress } from '../sdk/definitions';
import { isStageName, REJECTION_TYPES, STAGE_NAMES, STAGE_PHASES } from '../sdk/constants';
import { ACTIVITY_TASK_QUEUES, endpointWorkflowId, SEARCH_ATTRIBUTES } from '../sdk/names';
import type { DeploymentFailure, DeploymentResult, DeploymentStatus, Phase, PipelineSpec, StageName, StageState, Target } from '../sdk/schemas';
import { deploymentDetails } from './details';
import { outcomeEvent } from './deploymentEvents';
import { isInfrastructureFailure, toDeploymentFailure } from './failures';
import { notificationsStarted, notify } from './notify';
import { RetryGate, WAIT_FOR_RETRY } from './retryGate';

/** Patch id: a re-release (candidates without a conversion) writes its report too. */
export const REPORT_RE_RELEASES = 're-release-writes-report';

/** Retries for infrastructure errors (`onInfrastructureFailure.attempts` of them); bad models fail at once (non-retryable). */
const RETRY = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 8 } as const;

/** A stage's failure, carried to the top of the workflow. */
export class StageFailed extends Error {
  /**
   * @param rolledBack the stage returned traffic to stable itself (the deployment ends `rolledBack`)
   * @param infrastructure the stage failed for an infrastructure reason, after its retries: it may wait for an operator's retry
   */
  constructor(
    readonly failure: DeploymentFailure,
    readonly rolledBack = false,
    readonly infrastructure = false,
  ) {
    super(failure.message);
  }
}

/** What every stage works on: the spec, the status it fills in, and the plumbing. */
export interface Deployment {
  readonly spec: PipelineSpec;
  /** The live status (answered to the `status` query; the result is this plus the outcome). */
  readonly status: DeploymentStatus;
  /** What the admitting endpoint handed over (the version this one replaces); absent when started without an endpoint. */
  readonly admission?: DeploymentAdmission;
  /** Modelship activities on the CPU queue, with a timeout and a summary for the UI. */
  cpu(timeoutMs: number, summary: string): Activities;
  /**
   * CPU activities for the one way back to stable (`returnToStable`), retried until they succeed:
   * a stage that may have changed the routing never ends, or waits for an operator, with it changed.
   */
  wayBack(timeoutMs: number, summary: string): Activities;
  /** Hardware-bound activities on the queue of `target`. */
  on(target: Target, timeoutMs: number, summary: string): ModelActivities;
  /** Runs `body` as the stage `name`: its state, timing, summary and failure are recorded. */
  stage<T>(name: string, body: () => Promise<T>, describe: (result: T) => string): Promise<T>;
  setPhase(phase: Phase): void;
  /** Tells the UI, the watchers and the endpoint that something changed. */
  changed(change?: { weight?: number; generation?: number }): void;
}

/**
 * Runs a pipeline of stages as one deployment: registers the status query, keeps the UI's details
 * and the endpoint informed, and turns the outcome into a {@link DeploymentResult} — a refused
 * model is `rejected`, a rolled back rollout `rolledBack`, with the reason; neither fails the workflow.
 *
 * @param admission what the endpoint handed the workflow (its second argument), if an endpoint started it
 */
export async function runDeployment(
  spec: PipelineSpec,
  pipeline: (deployment: Deployment) => Promise<void>,
  admission?: DeploymentAdmission,
): Promise<DeploymentResult> {
  const d = createDeployment(spec, admission);
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

function createDeployment(spec: PipelineSpec, admission: DeploymentAdmission | undefined): Deployment {
  const status: DeploymentStatus = {
    workflowId: workflowInfo().workflowId,
    endpoint: spec.endpoint,
    version: spec.version,
    phase: 'Pending',
    stages: STAGE_NAMES.map((name) => ({ name, status: 'pending' })),
    candidates: [],
    benchmarks: [],
  };
  setHandler(deploymentStatusQuery, () => status);
  const changed = progressReporter(status);
  const activityOptions = (timeoutMs: number, summary: string) => ({
    startToCloseTimeout: timeoutMs,
    scheduleToStartTimeout: spec.scheduleToStartTimeout,
    heartbeatTimeout: Math.min(timeoutMs, 60_000),
    // Specs from before `onInfrastructureFailure` have none: today's budget.
    retry: { ...RETRY, maximumAttempts: spec.onInfrastructureFailure?.attempts ?? RETRY.maximumAttempts },
    summary,
  });
  const setPhase = (phase: Phase): void => {
    status.phase = phase;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.phase, value: phase }]);
    changed();
  };
  const run: StageRun = { spec, status, setPhase, changed, gate: new RetryGate(status) };
  return {
    spec,
    status,
    ...(admission ? { admission } : {}),
    cpu: (timeoutMs, summary) => proxyActivities<Activities>({ ...activityOptions(timeoutMs, summary), taskQueue: ACTIVITY_TASK_QUEUES.cpu }),
    wayBack: (timeoutMs, summary) =>
      proxyActivities<Activities>({
        ...activityOptions(timeoutMs, summary),
        retry: { ...RETRY, maximumAttempts: Number.POSITIVE_INFINITY },
        taskQueue: ACTIVITY_TASK_QUEUES.cpu,
      }),
    on: (target, timeoutMs, summary) => proxyActivities<ModelActivities>({ ...activityOptions(timeoutMs, summary), taskQueue: ACTIVITY_TASK_QUEUES[target] }),
    setPhase,
    changed,
    stage: (name, body, describe) => runStage(run, name, body, describe),
  };
}

/** What running a stage needs from its deployment. */
interface StageRun {
  spec: PipelineSpec;
  status: DeploymentStatus;
  setPhase(phase: Phase): void;
  changed(): void;
  gate: RetryGate;
}

/**
 * Runs `body` as the stage `name`, recording its state; a stage that fails for an infrastructure
 * reason waits for an operator (when the spec says so) and runs again on `retry`.
 */
async function runStage<T>(run: StageRun, name: string, body: () => Promise<T>, describe: (result: T) => string): Promise<T> {
  const { status } = run;
  const state = stageState(status, name);
  for (;;) {
    state.status = 'running';
    state.startedAt = new Date().toISOString();
    if (isStageName(name)) run.setPhase(STAGE_PHASES[name]);
    else run.changed();
    try {
      const result = await body();
      state.status = 'succeeded';
      state.summary = describe(result);
      return result;
    } catch (error) {
      state.status = 'failed';
      const failure = error instanceof StageFailed ? error.failure : toDeploymentFailure(name, error);
      state.summary = failure.message;
      state.finishedAt = new Date().toISOString();
      if (!mayWaitForRetry(run.spec, error)) throw error instanceof StageFailed ? error : new StageFailed(failure);
      const outcome = await run.gate.wait(name, failure, run.spec.onInfrastructureFailure, () => run.setPhase('WaitingForRetry'));
      if (!outcome.retry) throw new StageFailed(outcome.failure);
    } finally {
      state.finishedAt = new Date().toISOString();
      run.changed();
    }
  }
}

/** Whether the stage's failure waits for an operator: an infrastructure failure, a spec that says `wait`, and a run that has the patch. */
function mayWaitForRetry(spec: PipelineSpec, error: unknown): boolean {
  const infrastructure = error instanceof StageFailed ? error.infrastructure : isInfrastructureFailure(error);
  // Specs from before `onInfrastructureFailure` have none, and fail as they did.
  return infrastructure && spec.onInfrastructureFailure?.action === 'wait' && patched(WAIT_FOR_RETRY);
}

/** The stage's state; a custom stage is added before the first stage that has not started. */
function stageState(status: DeploymentStatus, name: string): StageState {
  const existing = status.stages.find((s) => s.name === name);
  if (existing) return existing;
  const added: StageState = { name, status: 'pending' };
  const firstPending = status.stages.findIndex((s) => s.status === 'pending');
  status.stages.splice(firstPending === -1 ? status.stages.length : firstPending, 0, added);
  return added;
}

async function finish(d: Deployment, outcome: DeploymentResult['outcome']): Promise<DeploymentResult> {
  const status = d.status;
  for (const s of status.stages) if (s.status === 'pending') s.status = 'skipped';
  // A conversion, or a re-release's candidates (recalled, not converted): something to report on.
  if (status.conversion || (status.candidates.length > 0 && patched(REPORT_RE_RELEASES))) {
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
  // After the outcome took effect (a rollback applied, a promotion done): sending never delays either.
  const event = outcomeEvent(status, outcome);
  if (event) notify(d.spec.notifications, event);
  await notificationsStarted();
  return { ...status, outcome };
}

/** The stage's state, by name (the built-in stages always have one). */
export function stageOf(d: Deployment, name: StageName): StageState {
  return d.status.stages.find((s) => s.name === name) as StageState;
}

/** Ends the stage `stage` with an infrastructure failure: the pipeline was composed wrongly, or has nothing to work on. */
export function fail(stage: string, message: string): never {
  throw new StageFailed({ type: 'InfrastructureError', stage, message });
}

/**
 * Keeps the UI's current details in step with the status, answers `watchStatus` Updates when the
 * status changes (each change is a revision), and tells the endpoint workflow that started this
 * deployment (if one did) its phase, canary weight and routing generation.
 */
function progressReporter(status: DeploymentStatus): (change?: { weight?: number; generation?: number }) => void {
  const parent = workflowInfo().parent;
  const endpoint = parent?.workflowId === endpointWorkflowId(status.endpoint) ? getExternalWorkflowHandle(parent.workflowId, parent.runId) : undefined;
  let revision = 0;
  setHandler(
    watchStatusUpdate,
    async ({ afterRevision }) => {
      await condition(() => revision > afterRevision);
      return { revision, status };
    },
    // A watch still waiting when the deployment ends is abandoned: the watcher reads the result.
    { unfinishedPolicy: HandlerUnfinishedPolicy.ABANDON },
  );
  let lastSent = '';
  let weight: number | undefined;
  let generation: number | undefined;
  return (change = {}) => {
    revision++;
    setCurrentDetails(deploymentDetails(status));
    weight = change.weight ?? weight;
    generation = change.generation ?? generation;
    const watch = status.rollout?.watch;
    const progress: DeploymentProgress = {
      workflowId: status.workflowId,
      runId: workflowInfo().runId,
      phase: status.phase,
      weight,
      generation,
      // Only once a watch started (so runs from before the watch report as they did).
      ...(watch ? { watch: { phase: watch.phase, since: watch.since, until: watch.until, previousVersion: watch.previousVersion } } : {}),
    };
    const key = JSON.stringify(progress);
    if (!endpoint || key === lastSent) return;
    lastSent = key;
    endpoint
      .signal(deploymentProgressSignal, progress)
      .catch((error: unknown) => log.warn('could not report progress to the endpoint', { error: String(error) }));
  };
}
