/**
 * The blue/green strategy: a preview of the new version (a shadow phase, or smoke requests routed to
 * it by a header), then all traffic at once, with the previous version kept loaded (weight 0) for a
 * rollback window: the post-promotion watch (`watch.ts`), whose duration it is.
 * Deterministic: `@temporalio/workflow` and sdk types only.
 */
import { rollBack } from './rollBack';
import type { RolloutRun } from './rolloutRun';
import { watchAfterSwitch } from './watch';

/** The header a blue/green smoke test uses to reach the version under preview. */
export const PREVIEW_HEADER = 'x-modelship-preview';

type BlueGreenSpec = Extract<RolloutRun['rollout'], { strategy: 'blueGreen' }>;

export async function runBlueGreen(run: RolloutRun, rollout: BlueGreenSpec): Promise<void> {
  const preview = rollout.preview;
  if (preview.mode === 'shadow') await run.shadowPhase(preview);
  else await smokeTest(run, preview.requestsPerReplica);
  await run.step(async (current) => {
    const switchedAt = (await run.route({ weight: 100 })).appliedAt ?? Date.now();
    if (run.watch) await watchAfterSwitch(run, current, run.watch, switchedAt, 'rollback-window');
  });
}

/** Smoke requests on every replica, routed to the new version by the preview header; all must answer from it. */
async function smokeTest(run: RolloutRun, requestsPerReplica: number): Promise<void> {
  const version = run.spec.version;
  await run.step(async (current) => {
    await run.route({ weight: 0, match: { header: PREVIEW_HEADER, value: version } });
    const probe = await run.activities.probeServing({ endpoint: run.spec.endpoint, version, requestsPerReplica, headers: { [PREVIEW_HEADER]: version } });
    const wrong = Object.entries(probe.versions).filter(([served]) => served !== version);
    current.note = `${probe.requests} smoke request(s) on ${probe.replicas} replica(s): ${JSON.stringify(probe.versions)}`;
    if (probe.requests === 0 || wrong.length > 0) {
      throw rollBack('SmokeTestFailed', `smoke test of ${version} failed: ${probe.requests === 0 ? 'no live replica answered' : current.note}`);
    }
  });
}
