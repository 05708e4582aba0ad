/**
 * The post-promotion watch, one implementation for every strategy (a canary after its last step,
 * blue/green's rollback window): all traffic on the new version, the previous one still loaded at
 * weight 0; every interval the new version is judged against the previous version's traffic over the
 * watch's length before the switch (a time-shifted comparison: the previous version serves nothing
 * now) and, from the second interval on, against its own first interval (a degradation after
 * promotion). A failure, an abort, or an operator's rollback at the endpoint throws the rollback that
 * returns all traffic to the previous version (`returnToStable`, by the rollout's compensation).
 * Deterministic: `@temporalio/workflow` and sdk types only.
 */
import { patched } from '@temporalio/workflow';
import type { AnalysisCheck, AnalysisVerdict, RolloutStep, WatchState } from '../../sdk/schemas';
import { RollBack, rollBack } from './rollBack';
import type { RolloutRun } from './rolloutRun';
import { describeStep } from './steps';
import { WATCH_ON_INCONCLUSIVE, watchIntervals, type WatchPlan } from './watchPlan';

/** The rollout phase a watch reports while it bakes (blue/green keeps the name of its rollback window). */
export type WatchPhase = 'watching' | 'rollback-window';

/**
 * Watches the new version, switched to 100% at `switchedAt` (epoch ms) in `step`, for `plan`: returns
 * when the watch passes, throws a {@link RollBack} when it fails.
 */
export async function watchAfterSwitch(run: RolloutRun, step: RolloutStep, plan: WatchPlan, switchedAt: number, running: WatchPhase): Promise<void> {
  if (!run.watchRecorded) return rollbackWindowBeforeTheWatch(run, step, plan, switchedAt);
  const slices = watchIntervals(plan.durationMs, plan.intervalMs);
  const watch: WatchState = {
    phase: 'watching',
    since: new Date(switchedAt).toISOString(),
    until: new Date(switchedAt + plan.durationMs).toISOString(),
    durationMs: plan.durationMs,
    intervalMs: plan.intervalMs,
    previousVersion: run.stable.version,
    intervals: [],
  };
  run.state.watch = watch;
  const version = run.spec.version;
  const baseline = { since: switchedAt - plan.durationMs, until: switchedAt };
  let first: { since: number; until: number } | undefined;
  try {
    for (const [index, slice] of slices.entries()) {
      const intervalStart = Date.now();
      await run.controls.bake(slice, running);
      const ended = Date.now();
      // A pause stops the bake's clock: the watch ends that much later.
      watch.until = new Date(ended + slices.slice(index + 1).reduce((sum, ms) => sum + ms, 0)).toISOString();
      const vsPrevious = await run.analyze({ canaryVersion: version, since: switchedAt, baseline, config: plan.checks });
      const vsFirst = first
        ? await run.analyze({
            stableVersion: version,
            canaryVersion: version,
            since: intervalStart,
            baseline: first,
            config: { ...plan.checks, prometheus: undefined },
          })
        : undefined;
      first ??= { since: switchedAt, until: ended };
      watch.intervals.push({ at: new Date(ended).toISOString(), vsPrevious, ...(vsFirst ? { vsFirst } : {}) });
      step.verdict = vsPrevious;
      run.observe({ weight: run.state.weight });
      if (vsPrevious.status === 'fail') run.fail(step, vsPrevious);
      if (index === slices.length - 1 && vsPrevious.status === 'inconclusive') endInconclusive(run, step, plan, watch, vsPrevious);
      if (vsFirst?.status === 'fail') {
        throw rollBack('CanaryRegressed', `${describeStep(step)} degraded during the watch: interval ${index + 1} against the first: ${failedChecks(vsFirst)}`);
      }
    }
    // An operator's rollback that arrived during the last analysis still ends the watch.
    run.controls.checkAbort();
    watch.phase = 'passed';
  } catch (error) {
    watch.phase = 'failed';
    watch.reason = error instanceof RollBack ? error.failure.message : String(error);
    const by = run.controls.stoppedBy();
    if (by !== undefined) watch.by = by;
    throw error;
  } finally {
    run.observe({ weight: run.state.weight });
  }
}

/**
 * The watch ended without a verdict against the previous version: `onInconclusive: promote` keeps the
 * new version and says so in the watch and its step; otherwise (and in runs from before the patch) it
 * rolls back (`AnalysisInconclusive`).
 */
function endInconclusive(run: RolloutRun, step: RolloutStep, plan: WatchPlan, watch: WatchState, verdict: AnalysisVerdict): void {
  if (plan.onInconclusive !== 'promote' || !patched(WATCH_ON_INCONCLUSIVE)) return run.fail(step, verdict);
  const samples = verdict.checks.find((c) => c.name === 'samples')?.values.canary;
  const details = verdict.checks.filter((c) => c.status !== 'pass').map((c) => c.detail);
  watch.note = `watch inconclusive: ${samples ?? 'too few'} samples, promoted (${details.join('; ')})`;
  step.note = watch.note;
}

/** The failed checks of a verdict, with their numbers. */
function failedChecks(verdict: AnalysisVerdict): string {
  return verdict.checks
    .filter((c: AnalysisCheck) => c.status === 'fail')
    .map((c) => `${c.name}: ${c.detail}`)
    .join('; ');
}

/** Blue/green's rollback window as runs from before the watch judged it (histories recorded then replay this). */
async function rollbackWindowBeforeTheWatch(run: RolloutRun, step: RolloutStep, plan: WatchPlan, switchedAt: number): Promise<void> {
  const baseline = { since: switchedAt - plan.durationMs, until: switchedAt };
  const slices = watchIntervals(plan.durationMs, plan.intervalMs);
  for (const [index, slice] of slices.entries()) {
    await run.controls.bake(slice, 'rollback-window');
    step.verdict = await run.analyze({ canaryVersion: run.spec.version, since: switchedAt, baseline });
    if (step.verdict.status === 'fail' || (index === slices.length - 1 && step.verdict.status === 'inconclusive')) run.fail(step, step.verdict);
  }
}
