/**
 * The canary strategy: an optional shadow phase (mirrored traffic, answers compared, none served),
 * an optional header-match phase (only requests carrying a header reach the canary), then weighted
 * steps, each baked and judged against stable, with optional approval gates; then, unless its
 * `watch` is off, all traffic to the new version with stable kept loaded for the watch (`watch.ts`).
 * Deterministic: `@temporalio/workflow` and sdk types only.
 */
import { approvalEvent } from '../deploymentEvents';
import { notify } from '../notify';
import { rollBack } from './rollBack';
import type { RolloutRun } from './rolloutRun';
import { watchAfterSwitch } from './watch';

type CanarySpec = Extract<RolloutRun['rollout'], { strategy: 'canary' }>;

export async function runCanary(run: RolloutRun, rollout: CanarySpec): Promise<void> {
  if (rollout.shadow) await run.shadowPhase(rollout.shadow);
  const headerMatch = rollout.headerMatch;
  if (headerMatch) {
    await run.step(async (current) => {
      const applied = await run.route({ weight: 0, match: { header: headerMatch.header, value: headerMatch.value } });
      await run.controls.bake(headerMatch.bake);
      if (headerMatch.analysis) await run.judge(current, applied.appliedAt ?? Date.now(), { canaryVersion: run.spec.version }, headerMatch.bake);
    });
  }
  for (const config of rollout.steps) {
    await run.step(async (current) => {
      const applied = await run.route({ weight: config.weight });
      await run.controls.bake(config.bake);
      if (config.analysis) await run.judge(current, applied.appliedAt ?? Date.now(), { canaryVersion: run.spec.version }, config.bake);
      if (config.approval) {
        notify(run.spec.notifications, approvalEvent(run.spec, config.weight, config.approval.timeout, config.approval.onTimeout));
        const approval = await run.controls.awaitApproval(config.approval.timeout);
        if (!approval && config.approval.onTimeout === 'rollback') {
          throw rollBack('ApprovalTimedOut', `no approval at ${config.weight}% within ${config.approval.timeout} ms`);
        }
        current.approvedBy = approval ? `${approval.by ?? 'someone'}${approval.reason ? `: ${approval.reason}` : ''}` : 'timeout (proceed)';
      }
    });
  }
  const watch = run.watch;
  if (watch) {
    await run.step(async (current) => {
      const switchedAt = (await run.route({ weight: 100 })).appliedAt ?? Date.now();
      await watchAfterSwitch(run, current, watch, switchedAt, 'watching');
    });
  }
}
