/**
 * `endpoint`: the long-lived entity workflow of one endpoint (`endpoint/<name>`), the authority on
 * what serves it.
 *
 * It holds the endpoint's live state — the stable version and the one before it, the deployment in
 * progress with its phase and canary weight, the queue, and the rollout history — and admits one
 * deployment at a time (./admission.ts): a deployment submitted while another runs waits its turn or
 * is refused, as its spec's `whenBusy` says. Each admitted deployment runs as a child `deployModel`
 * workflow handed the stable version it replaces (./deployments.ts), so every gate compares against
 * the version it will actually replace. `rollback` returns the endpoint to the previous stable
 * version or to any version it keeps (./rollback.ts); the versions that served and their aliases are
 * kept in its state (./versions.ts). The workflow continues as new when idle once its history grows, carrying its state.
 *
 * Deterministic: `@temporalio/workflow` and pure `sdk/` modules only.
 */
import { allHandlersFinished, condition, continueAsNew, isCancellation, log, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { deploymentProgressSignal, endpointStatusQuery } from '../../sdk/definitions';
import { SEARCH_ATTRIBUTES } from '../../sdk/names';
import type { EndpointState } from '../../sdk/schemas';
import { registerAdmission } from './admission';
import { followReset, noteProgress, runNext } from './deployments';
import { EndpointContext } from './endpointContext';
import { registerRollback } from './rollback';
import { registerAliases } from './versions';
import { picksOf } from '../../sdk/targetPicks';

export interface EndpointInput {
  endpoint: string;
  /** State carried over by continue-as-new. */
  state?: EndpointState;
  /** Continue as new once idle and the history has more events than this (default 2000). */
  maxHistoryEvents?: number;
}

export async function endpoint(input: EndpointInput): Promise<void> {
  const ctx = new EndpointContext(input.state ?? { endpoint: input.endpoint, phase: 'Idle', queue: [], generation: 0, history: [], continuedAsNew: 0 });
  const { state } = ctx;
  setHandler(endpointStatusQuery, () => state);
  registerAdmission(ctx);
  registerRollback(ctx);
  registerAliases(ctx);
  setHandler(deploymentProgressSignal, (progress) => {
    if (state.active?.workflowId !== progress.workflowId) return;
    followReset(state.active, progress.runId);
    state.active.phase = progress.phase;
    noteProgress(ctx, progress.phase, progress.weight);
    if (progress.weight !== undefined && progress.weight !== state.active.weight) {
      state.active.weight = progress.weight;
      upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.canaryWeight, value: progress.weight }]);
    }
    if (progress.generation !== undefined) state.generation = Math.max(state.generation, progress.generation);
    if (progress.watch) state.active.watch = progress.watch;
    ctx.show();
  });

  if (!input.state) {
    // First start: adopt what the endpoint serves today, whoever released it.
    const stable = await ctx.acts.readStable({ endpoint: ctx.name });
    if (stable) state.stable = { version: stable.version, digest: stable.digest, serving: stable.serving, ...picksOf(stable), since: new Date().toISOString() };
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.endpoint, value: ctx.name }]);
  }
  ctx.setPhase(state.phase === 'RollingBack' ? 'Idle' : state.phase);

  const maxHistoryEvents = input.maxHistoryEvents ?? 2000;
  const historyIsLong = (): boolean => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > maxHistoryEvents;
  try {
    for (;;) {
      await condition(() => (state.queue.length > 0 && !ctx.rollingBack) || (historyIsLong() && !ctx.busy()));
      if (state.queue.length > 0) {
        await runNext(ctx);
        continue;
      }
      await condition(allHandlersFinished);
      if (state.queue.length === 0 && !ctx.rollingBack) {
        state.continuedAsNew++;
        log.info('continuing as new', { historyLength: workflowInfo().historyLength });
        await continueAsNew<typeof endpoint>({ endpoint: ctx.name, state, maxHistoryEvents: input.maxHistoryEvents });
      }
    }
  } catch (error) {
    if (isCancellation(error)) {
      // Nothing queued will run: say so, so no one waits for it.
      for (const queued of state.queue.splice(0)) {
        const stable = state.stable?.version;
        ctx.record({
          kind: 'failed',
          version: queued.version,
          workflowId: queued.workflowId,
          stableBefore: stable,
          stableAfter: stable,
          detail: 'the endpoint workflow was cancelled before this deployment started',
        });
      }
      ctx.setPhase('Idle');
    }
    throw error;
  }
}
