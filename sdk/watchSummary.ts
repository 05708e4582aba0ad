/**
 * The post-promotion watch in words, for the CLI (`status`, `deploy --wait`), the Temporal UI's
 * current details and the endpoint's: where the watch is, and each judged interval with its numbers.
 *
 * Workflow-safe: pure, type imports only.
 */
import type { AnalysisVerdict } from './schemas/analysis';
import type { ActiveWatch, WatchInterval, WatchState } from './schemas/watch';

/**
 * @example
 * watchHeadline(status.rollout.watch);
 * // 'watch watching until 2026-12-02T04:10:00.000Z (2 m, judged every 30 s against v1, kept loaded at 0%): 1 interval(s) judged'
 */
export function watchHeadline(watch: WatchState): string {
  const judged = `${watch.intervals.length} interval(s) judged`;
  const ended =
    watch.phase === 'failed' ? `; failed${watch.by ? ` (by ${watch.by})` : ''}: ${watch.reason ?? 'no reason recorded'}` : watch.note ? `; ${watch.note}` : '';
  return `watch ${watch.phase} until ${watch.until} (${seconds(watch.durationMs)}, judged every ${seconds(watch.intervalMs)} against ${watch.previousVersion}, kept loaded at 0%): ${judged}${ended}`;
}

/**
 * One judged interval: the verdict against the previous version and against the first interval, each check with its numbers.
 * @example
 * watchIntervalLine(watch.intervals[0], 0);
 * // 'interval 1 at …: vs v1 pass (error-rate pass: 0/212 vs 0/480, …)'
 */
export function watchIntervalLine(interval: WatchInterval, index: number, previousVersion: string): string {
  const first = interval.vsFirst ? `; vs first interval ${verdictWords(interval.vsFirst)}` : '';
  return `interval ${index + 1} at ${interval.at}: vs ${previousVersion} ${verdictWords(interval.vsPrevious)}${first}`;
}

/** What the endpoint knows of its deployment's watch, in one line. */
export function activeWatchLine(watch: ActiveWatch): string {
  return `watch ${watch.phase} since ${watch.since} until ${watch.until} (${watch.previousVersion} kept loaded at 0%; \`modelship rollback\` ends it)`;
}

function verdictWords(verdict: AnalysisVerdict): string {
  return `${verdict.status} (${verdict.checks.map((c) => `${c.name} ${c.status}: ${c.detail}`).join(', ')})`;
}

function seconds(ms: number): string {
  return ms % 60_000 === 0 && ms > 0 ? `${ms / 60_000} m` : `${ms / 1000} s`;
}
