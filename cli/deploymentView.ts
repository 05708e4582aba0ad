/**
 * How the CLI prints a deployment in text (`modelship status <endpoint>/<version>`): its stages,
 * then its rollout: each step with its analysis verdict, the numbers behind every check, notes,
 * approvals and the gateway replicas it went on without; its post-promotion watch, interval by
 * interval; then a rollback and the reason it stopped.
 */
import { describeDecision, retryInstructions } from '../sdk/retryInstructions';
import type { DeploymentStatus, RolloutStep, StageState } from '../sdk/schemas';
import { watchHeadline, watchIntervalLine } from '../sdk/watchSummary';

export const STAGE_MARKS: Record<StageState['status'], string> = {
  pending: ' ',
  running: '…',
  succeeded: '✓',
  failed: '✗',
  skipped: '-',
};

const STEP_MARKS: Record<RolloutStep['status'], string> = { pending: ' ', running: '…', passed: '✓', failed: '✗', skipped: '-' };

/** A rollout step in a word or two: `canary 25%`, `shadow 10%`, `header match`, `smoke test`. */
export function stepLabel(step: RolloutStep): string {
  switch (step.kind) {
    case 'match':
      return 'header match';
    case 'smoke':
      return 'smoke test';
    default:
      return `${step.kind} ${step.weight}%`;
  }
}

/** The replicas a step went on without, in words; empty when none. */
export function staleReplicasNote(step: RolloutStep): string {
  const stale = step.staleReplicas ?? [];
  return stale.length > 0 ? `went on without stale replica(s) ${stale.join(', ')} (no heartbeat)` : '';
}

export function describeDeployment(status: DeploymentStatus): string {
  const lines = [`${status.workflowId}: ${status.phase}`];
  for (const s of status.stages) lines.push(`  ${STAGE_MARKS[s.status]} ${s.name.padEnd(10)} ${s.status.padEnd(9)} ${s.summary ?? ''}`.trimEnd());
  const rollout = status.rollout;
  if (rollout) {
    lines.push(`  ${rollout.strategy} rollout against ${rollout.stableVersion ?? 'no stable version'}: ${rollout.state}, new version at ${rollout.weight}%`);
    for (const step of rollout.steps) lines.push(...stepLines(step));
    const watch = rollout.watch;
    if (watch) lines.push(`  ${watchHeadline(watch)}`, ...watch.intervals.map((i, n) => `    ${watchIntervalLine(i, n, watch.previousVersion)}`));
    if (rollout.rollback) {
      const verified = Object.entries(rollout.rollback.verified).map(([version, answers]) => `${version} ${answers}`);
      lines.push(
        `  rolled back in ${Math.round(rollout.rollback.tookMs)} ms (generation ${rollout.rollback.generation}; verified answers: ${verified.join(', ') || 'none'}): ${rollout.rollback.reason}`,
      );
    }
  }
  if (status.waiting) lines.push(...retryInstructions(status, status.waiting).map((line) => `  ${line}`));
  for (const d of status.decisions ?? []) lines.push(`  ${describeDecision(d)}`);
  if (status.failure) lines.push(`  reason: ${status.failure.type}: ${status.failure.message}`);
  if (status.report) lines.push(`  report: ${status.report.uri}`);
  return lines.join('\n');
}

/** A step's line, then a line per analysis check with its numbers, then its notes. */
function stepLines(step: RolloutStep): string[] {
  const dryRun = step.dryRun ? ' (dry run)' : '';
  const lines = [`    ${STEP_MARKS[step.status]} ${stepLabel(step).padEnd(12)} ${step.status}${dryRun}`];
  const verdict = step.verdict;
  if (verdict) {
    const seconds = ((verdict.until - verdict.since) / 1000).toFixed(1);
    lines.push(`        analysis ${verdict.status} over ${seconds} s from ${verdict.replicas} replica(s)`);
    for (const check of verdict.checks) lines.push(`          ${check.name.padEnd(18)} ${check.status.padEnd(12)} ${check.detail}`);
  }
  if (step.approvedBy) lines.push(`        approved by ${step.approvedBy}`);
  if (step.note) lines.push(`        note: ${step.note}`);
  const stale = staleReplicasNote(step);
  if (stale) lines.push(`        ${stale}`);
  return lines;
}
