/**
 * `endpoint`: the long-lived entity workflow of one endpoint (`endpoint/<name>`).
 *
 * It holds the endpoint's live state — the stable version and the one before it, the deployment in
 * progress with its phase and canary weight, the queue, and the rollout history — and admits one
 * deployment at a time: a deployment submitted while another runs waits its turn or is refused, as
 * its spec's `whenBusy` says. Each admitted deployment runs as a child `deployModel` workflow
 * (`deploy/<endpoint>/<version>`), so every gate (IO contract, accuracy, benchmark, canary analysis)
 * compares against the version it will actually replace.
 *
 * `rollback` returns the endpoint to the previous stable version. The workflow continues as new
 * when idle once its history grows, carrying its state.
 *
 * Deterministic: `@temporalio/workflow` and pure `sdk/` modules only.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  ParentClosePolicy,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  deploymentProgressSignal,
  endpointStatusQuery,
  rollbackUpdate,
  submitDeploymentUpdate,
  type ControlRequest,
  type SubmitDeploymentRequest,
  type SubmitDeploymentResult,
} from '../sdk/definitions';
import { ACTIVITY_TASK_QUEUES, deploymentWorkflowId, SEARCH_ATTRIBUTES, WORKFLOW_TYPES } from '../sdk/names';
import type { AdmittedDeployment, DeploymentResult, EndpointEvent, EndpointState, Phase } from '../sdk/schemas';

export interface EndpointInput {
  endpoint: string;
  /** State carried over by continue-as-new. */
  state?: EndpointState;
  /** Continue as new once idle and the history has more events than this (default 2000). */
  maxHistoryEvents?: number;
}

/** Rollout history entries kept (older ones drop off; each deployment keeps its own full record). */
const HISTORY_LIMIT = 100;

const acts = proxyActivities<Activities>({
  taskQueue: ACTIVITY_TASK_QUEUES.cpu,
  startToCloseTimeout: '3m',
  heartbeatTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 8 },
});

export async function endpoint(input: EndpointInput): Promise<void> {
  const name = input.endpoint;
  const self = workflowInfo().workflowId;
  const state: EndpointState = input.state ?? { endpoint: name, phase: 'Idle', queue: [], generation: 0, history: [], continuedAsNew: 0 };
  /** Specs of the queued deployments (it continues as new only with an empty queue). */
  const pending = new Map<string, SubmitDeploymentRequest>();
  /** Why a deployment could not start, for the submitter waiting on it. */
  const startFailures = new Map<string, string>();
  let rollingBack = false;
  const busy = (): boolean => state.active !== undefined || rollingBack || state.queue.length > 0;

  setHandler(endpointStatusQuery, () => state);

  setHandler(
    submitDeploymentUpdate,
    async (request): Promise<SubmitDeploymentResult> => {
      const workflowId = deploymentWorkflowId(name, request.spec.version);
      const existing = admitted(workflowId);
      if (existing) return { workflowId, runId: existing.runId, position: position(existing), existing: true };
      const entry: AdmittedDeployment = {
        version: request.spec.version,
        workflowId,
        submittedAt: new Date().toISOString(),
        ...(request.by ? { submittedBy: request.by } : {}),
      };
      state.queue.push(entry);
      pending.set(workflowId, request);
      show();
      // If it is next in line, answer once it has started, with its run id.
      if (state.queue.length === 1 && !state.active && !rollingBack) await condition(() => entry.runId !== undefined || !admitted(workflowId));
      const failure = startFailures.get(workflowId);
      if (failure) {
        startFailures.delete(workflowId);
        throw ApplicationFailure.nonRetryable(failure, 'DeploymentNotStarted');
      }
      return { workflowId, runId: entry.runId, position: position(entry), existing: false };
    },
    {
      validator: (request: SubmitDeploymentRequest) => {
        if (request.spec.endpoint !== name) throw new Error(`this is endpoint ${name}; the spec is for ${request.spec.endpoint}`);
        const workflowId = deploymentWorkflowId(name, request.spec.version);
        if (request.spec.whenBusy === 'refuse' && busy() && !admitted(workflowId)) {
          throw new Error(`endpoint ${name} is busy (${describeBusy()}) and the spec says whenBusy: refuse; retry when it is idle, or use whenBusy: queue`);
        }
      },
    },
  );

  setHandler(
    rollbackUpdate,
    async (request: ControlRequest) => {
      const target = state.previous as NonNullable<EndpointState['previous']>;
      const from = state.stable as NonNullable<EndpointState['stable']>;
      rollingBack = true;
      setPhase('RollingBack');
      try {
        const started = Date.now();
        const release = await acts.applyRouting({
          endpoint: name,
          desired: { versions: [{ version: target.version, digest: target.digest, weight: 100, serving: target.serving }] },
          timeoutMs: 120_000,
          minReplicas: 0,
          updatedBy: self,
        });
        // The routing serves `target` from here on: the state says so, whatever the check finds.
        state.generation = release.generation;
        state.stable = { ...target, since: new Date().toISOString() };
        state.previous = from;
        upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.version, value: target.version }]);
        let verified: string;
        try {
          verified = `verified ${JSON.stringify((await acts.verifyServing({ endpoint: name, version: target.version })).versions)}`;
        } catch (error) {
          verified = `NOT verified: ${error instanceof Error ? error.message : String(error)}`;
        }
        const detail = `rolled back from ${from.version} to ${target.version}${request.by ? ` by ${request.by}` : ''}: ${request.reason ?? 'no reason given'} (generation ${release.generation}, ${release.replicas.length} replica(s), ${verified}, ${Date.now() - started} ms)`;
        record({ kind: 'rollback', version: target.version, stableBefore: from.version, stableAfter: target.version, detail, generation: release.generation });
        return detail;
      } catch (error) {
        // The routing may have changed before the failure: hold what it actually serves.
        await adoptRouting(`rollback to ${target.version} failed: ${error instanceof Error ? error.message : String(error)}`);
        throw error;
      } finally {
        rollingBack = false;
        setPhase(state.active ? 'Deploying' : 'Idle');
      }
    },
    {
      validator: (_request: ControlRequest) => {
        if (rollingBack) throw new Error(`endpoint ${name} is already rolling back`);
        if (state.active) {
          throw new Error(
            `${state.active.workflowId} is in progress; once its rollout has started, abort it instead (\`modelship abort ${name}\`), which returns traffic to ${state.stable?.version ?? 'the stable version'}; before that, wait for it to finish`,
          );
        }
        if (!state.previous) throw new Error(`endpoint ${name} has no previous stable version to return to${state.stable ? ` (it serves ${state.stable.version})` : ''}`);
      },
    },
  );

  setHandler(deploymentProgressSignal, (progress) => {
    if (state.active?.workflowId !== progress.workflowId) return;
    state.active.phase = progress.phase;
    if (progress.weight !== undefined && progress.weight !== state.active.weight) {
      state.active.weight = progress.weight;
      upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.canaryWeight, value: progress.weight }]);
    }
    if (progress.generation !== undefined) state.generation = Math.max(state.generation, progress.generation);
    show();
  });

  if (!input.state) {
    // First start: adopt what the endpoint serves today, whoever released it.
    const stable = await acts.readStable({ endpoint: name });
    if (stable) state.stable = { version: stable.version, digest: stable.digest, serving: stable.serving, since: new Date().toISOString() };
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.endpoint, value: name }]);
  }
  setPhase(state.phase === 'RollingBack' ? 'Idle' : state.phase);

  const maxHistoryEvents = input.maxHistoryEvents ?? 2000;
  const historyIsLong = (): boolean => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > maxHistoryEvents;

  try {
    for (;;) {
      await condition(() => (state.queue.length > 0 && !rollingBack) || (historyIsLong() && !busy()));
      if (state.queue.length === 0) {
        await condition(allHandlersFinished);
        if (state.queue.length === 0 && !rollingBack) {
          state.continuedAsNew++;
          log.info('continuing as new', { historyLength: workflowInfo().historyLength });
          await continueAsNew<typeof endpoint>({ endpoint: name, state, maxHistoryEvents: input.maxHistoryEvents });
        }
        continue;
      }
      await runNext();
    }
  } catch (error) {
    if (isCancellation(error)) {
      // Nothing queued will run: say so, so no one waits for it.
      for (const queued of state.queue.splice(0)) {
        record({ kind: 'failed', version: queued.version, workflowId: queued.workflowId, stableBefore: state.stable?.version, stableAfter: state.stable?.version, detail: 'the endpoint workflow was cancelled before this deployment started' });
      }
      setPhase('Idle');
    }
    throw error;
  }

  async function runNext(): Promise<void> {
    const entry = state.queue.shift() as AdmittedDeployment;
    const request = pending.get(entry.workflowId) as SubmitDeploymentRequest;
    pending.delete(entry.workflowId);
    const spec = request.spec;
    state.active = { ...entry, startedAt: new Date().toISOString(), phase: 'Pending' };
    setPhase('Deploying');
    upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.version, value: spec.version },
      { key: SEARCH_ATTRIBUTES.canaryWeight, value: 0 },
    ]);
    const stableBefore = state.stable?.version;
    let result: DeploymentResult | undefined;
    let failure: string | undefined;
    try {
      const child = await startChild(request.workflowType ?? WORKFLOW_TYPES.deployModel, {
        workflowId: entry.workflowId,
        args: [spec],
        ...(request.taskQueue ? { taskQueue: request.taskQueue } : {}),
        // Closing the endpoint cancels the deployment, whose rollback then returns traffic to stable.
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        typedSearchAttributes: [
          { key: SEARCH_ATTRIBUTES.endpoint, value: name },
          { key: SEARCH_ATTRIBUTES.model, value: spec.model.name ?? name },
          { key: SEARCH_ATTRIBUTES.version, value: spec.version },
          { key: SEARCH_ATTRIBUTES.phase, value: 'Pending' },
        ],
        staticSummary: `Deploy ${spec.model.name ?? name} ${spec.version} to endpoint ${name}`,
        staticDetails: `source: ${spec.model.source}\nrollout: ${spec.rollout.strategy}\nworkflow: ${request.workflowType ?? WORKFLOW_TYPES.deployModel}\nadmitted by ${self}${request.by ? ` for ${request.by}` : ''}`,
      });
      entry.runId = child.firstExecutionRunId;
      state.active.runId = child.firstExecutionRunId;
      show();
      const returned: unknown = await child.result();
      if (isDeploymentResult(returned)) result = returned;
      else failure = `${request.workflowType ?? WORKFLOW_TYPES.deployModel} returned something that is not a DeploymentResult`;
    } catch (error) {
      failure = error instanceof Error ? describeError(error) : String(error);
      if (!entry.runId) startFailures.set(entry.workflowId, `could not start ${entry.workflowId}: ${failure}`);
    }
    const outcome = result?.outcome ?? 'failed';
    if (result?.outcome === 'promoted' && result.artifact) {
      if (stableBefore !== spec.version) state.previous = state.stable;
      state.stable = { version: spec.version, digest: result.artifact.digest, serving: spec.serving, since: new Date().toISOString(), workflowId: entry.workflowId };
    } else if (entry.runId && !result?.rollout?.rollback) {
      // Failed or cancelled without a rollback of its own: the routing may have changed under it.
      await adoptRouting(`after ${entry.workflowId} ended ${outcome}`);
    }
    if (result?.release) state.generation = Math.max(state.generation, result.release.generation);
    if (result?.rollout?.rollback) state.generation = Math.max(state.generation, result.rollout.rollback.generation);
    record({
      kind: outcome,
      version: spec.version,
      workflowId: entry.workflowId,
      runId: entry.runId,
      stableBefore,
      stableAfter: state.stable?.version,
      detail: describeResult(result, failure),
      generation: result?.release?.generation ?? result?.rollout?.rollback?.generation,
    });
    state.active = undefined;
    upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.version, value: state.stable?.version ?? '' },
      { key: SEARCH_ATTRIBUTES.canaryWeight, value: 0 },
    ]);
    setPhase('Idle');
  }

  /** Makes `stable` what the routing document serves, if they disagree (recorded in the history). */
  async function adoptRouting(why: string): Promise<void> {
    // Also when the endpoint is being cancelled: its state must say what serves.
    const serving = await CancellationScope.nonCancellable(() => acts.readStable({ endpoint: name }));
    if (!serving || serving.version === state.stable?.version) return;
    const before = state.stable?.version;
    if (state.previous?.version === serving.version) state.previous = state.stable;
    state.stable = { version: serving.version, digest: serving.digest, serving: serving.serving, since: new Date().toISOString() };
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.version, value: serving.version }]);
    record({ kind: 'failed', version: serving.version, stableBefore: before, stableAfter: serving.version, detail: `the routing serves ${serving.version}, not ${before ?? 'nothing'} (${why}); the endpoint now holds ${serving.version} as stable` });
  }

  function admitted(workflowId: string): AdmittedDeployment | undefined {
    return state.active?.workflowId === workflowId ? state.active : state.queue.find((d) => d.workflowId === workflowId);
  }

  function position(entry: AdmittedDeployment): number {
    if (state.active?.workflowId === entry.workflowId) return 0;
    const index = state.queue.findIndex((d) => d.workflowId === entry.workflowId);
    return index + (state.active || rollingBack ? 1 : 0);
  }

  function describeBusy(): string {
    if (rollingBack) return 'rolling back';
    const parts = state.active ? [`${state.active.workflowId} is ${state.active.phase ?? 'running'}${state.active.weight ? ` at ${state.active.weight}%` : ''}`] : [];
    if (state.queue.length > 0) parts.push(`${state.queue.length} queued`);
    return parts.join(', ');
  }

  function record(event: Omit<EndpointEvent, 'at'>): void {
    state.history.push({ at: new Date().toISOString(), ...event });
    if (state.history.length > HISTORY_LIMIT) state.history.splice(0, state.history.length - HISTORY_LIMIT);
    show();
  }

  function setPhase(phase: Phase): void {
    state.phase = phase;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.phase, value: phase }]);
    show();
  }

  /** The Temporal UI's "current details": what serves, what rolls out, what waits, what happened. */
  function show(): void {
    const lines = [
      `**${name}** — ${state.phase}`,
      `- stable: ${state.stable ? `${state.stable.version} (${state.stable.digest.slice(7, 19)})` : 'none'}${state.previous ? `; previous: ${state.previous.version}` : ''}`,
      state.active ? `- rolling out: ${state.active.version} — ${state.active.phase ?? 'starting'}${state.active.weight !== undefined ? ` at ${state.active.weight}%` : ''} (${state.active.workflowId})` : '- rolling out: nothing',
      `- queued: ${state.queue.length === 0 ? 'none' : state.queue.map((d) => d.version).join(', ')}`,
      `- routing generation: ${state.generation}`,
      ...(state.history.length > 0 ? ['', '**Recent**', ...state.history.slice(-5).reverse().map((e) => `- ${e.at} ${e.kind} ${e.version}: ${e.detail}`)] : []),
    ];
    setCurrentDetails(lines.join('\n'));
  }
}

/** A structural check of what a (possibly custom) deployment workflow returned; no zod in workflow code. */
function isDeploymentResult(value: unknown): value is DeploymentResult {
  const r = value as Partial<DeploymentResult> | null;
  return typeof r === 'object' && r !== null && typeof r.outcome === 'string' && ['promoted', 'rejected', 'rolledBack', 'failed'].includes(r.outcome) && Array.isArray(r.candidates) && Array.isArray(r.stages);
}

function describeResult(result: DeploymentResult | undefined, failure: string | undefined): string {
  if (!result) return `the deployment did not complete: ${failure ?? 'unknown error'}`;
  if (result.failure) return `${result.failure.type} at ${result.failure.stage}: ${result.failure.message}`;
  const pick = result.candidates.find((c) => c.selected && c.artifact?.digest === result.artifact?.digest);
  return `${pick?.label ?? 'model'} ${result.artifact?.digest.slice(7, 19) ?? ''} serves at 100% (generation ${result.release?.generation ?? '?'})`;
}

function describeError(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}
