/**
 * One line on a behaviour diff (the candidate against the stable version before any traffic), for
 * the validate stage's summary, the CLI and the deployment report.
 *
 * Workflow-safe: pure, type imports only.
 */
import type { BehaviourDiff } from './schemas/behaviour';

/**
 * @example
 * behaviourSummary(report.behaviour);
 * // 'behaviour vs stable v1 on 64 golden inputs: top-1 agreement 1, mean score delta 0'
 */
export function behaviourSummary(diff: BehaviourDiff): string {
  if (diff.status === 'skipped') return `behaviour vs stable skipped: ${diff.note ?? 'nothing to compare'}`;
  const set = diff.sets[0];
  const output = set?.outputs.find((o) => o.top1Agreement !== undefined) ?? set?.outputs.find((o) => o.meanDelta !== undefined) ?? set?.outputs[0];
  const numbers = [
    output?.top1Agreement !== undefined ? `top-1 agreement ${round(output.top1Agreement)}` : undefined,
    output?.agreement !== undefined ? `${output.name} agreement ${round(output.agreement)}` : undefined,
    output?.meanDelta !== undefined ? `mean ${output.top1Agreement !== undefined ? 'score ' : ''}delta ${round(output.meanDelta)}` : undefined,
    diff.accuracy ? `accuracy ${round(diff.accuracy.candidate)} (stable ${round(diff.accuracy.stable)})` : undefined,
  ].filter((n) => n !== undefined);
  const verdict = diff.changes.length === 0 ? '' : diff.acceptedChange !== undefined ? `; changed, accepted: ${diff.acceptedChange}` : '; changed';
  return `behaviour vs stable ${diff.stable?.version ?? ''}${set ? ` on ${set.samples} ${set.name} inputs` : ''}: ${numbers.join(', ') || 'no outputs compared'}${verdict}`;
}

function round(v: number | null): string {
  return v === null ? '∞/NaN' : String(Number(v.toPrecision(3)));
}
