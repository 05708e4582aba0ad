/**
 * The deployment as the Temporal UI's "current details" show it: a short Markdown page saying
 * where the deployment is and why each step passed, waited or failed. Pure.
 */
import type { DeploymentStatus, RolloutStep, StageState } from '../sdk/schemas';
import { describeDecision, retryInstructions } from '../sdk/retryInstructions';
import { describeStep } from './rollout/steps';
import { watchHeadline, watchIntervalLine } from '../sdk/watchSummary';

const MARKS: Record<StageState['status'], string> = { pending: '·', running: '▶', succeeded: '✓', failed: '✗', skipped: '–' };

export function deploymentDetails(status: DeploymentStatus): string {
  const lines = [`**${status.endpoint} ${status.version}** — ${status.phase}`, ''];
  for (const stage of status.stages) lines.push(`- ${MARKS[stage.status]} **${stage.name}** ${stage.summary ?? stage.status}`);
  const rollout = status.rollout;
  if (rollout) {
    lines.push(
      '',
      `**${rollout.strategy} rollout** against ${rollout.stableVersion ?? 'no stable version'}: ${rollout.state}, new version at ${rollout.weight}%`,
    );
    for (const step of rollout.steps) lines.push(`- ${stepLine(step)}`);
    const watch = rollout.watch;
    if (watch) lines.push('', `**${watchHeadline(watch)}**`, ...watch.intervals.map((i, n) => `- ${watchIntervalLine(i, n, watch.previousVersion)}`));
    if (rollout.rollback)
      lines.push(
        '',
        `**Rolled back** in ${rollout.rollback.tookMs} ms (generation ${rollout.rollback.generation}, verified ${JSON.stringify(rollout.rollback.verified)}): ${rollout.rollback.reason}`,
      );
  }
  if (status.waiting) {
    const [what, cli, ui] = retryInstructions(status, status.waiting);
    lines.push('', `**Waiting for retry**: ${what}`, '', `- ${cli}`, `- ${ui}`);
  }
  for (const d of status.decisions ?? []) lines.push('', describeDecision(d));
  if (status.failure) lines.push('', `**${status.failure.type}** at ${status.failure.stage}: ${status.failure.message}`);
  if (status.report) lines.push('', `report: ${status.report.uri}`);
  return lines.join('\n');
}

function stepLine(step: RolloutStep): string {
  const verdict = step.verdict
    ? ` — analysis **${step.verdict.status}**: ${step.verdict.checks.map((c) => `${c.name} ${c.status}${c.status === 'pass' ? '' : ` (${c.detail})`}`).join(', ')}`
    : '';
  const approved = step.approvedBy ? ` — approved by ${step.approvedBy}` : '';
  const note = step.note ? ` — ${step.note}` : '';
  return `${describeStep(step)}: ${step.status}${step.dryRun ? ' (dry run)' : ''}${verdict}${approved}${note}`;
}
