/** Renders a deployment's progress as lines: one when a stage starts, one when it ends. */
import type { DeploymentResult, DeploymentStatus, StageState } from '../sdk/schemas';

const MARKS: Record<StageState['status'], string> = {
  pending: ' ',
  running: '…',
  succeeded: '✓',
  failed: '✗',
  skipped: '-',
};

export class ProgressPrinter {
  private readonly seen = new Map<string, string>();

  constructor(private readonly write: (line: string) => void) {}

  update(status: DeploymentStatus): void {
    for (const [i, step] of (status.rollout?.steps ?? []).entries()) {
      const key = `rollout-${i}`;
      const shown = `${step.status}:${step.note ?? ''}`;
      if (step.status === 'pending' || this.seen.get(key) === shown) continue;
      this.seen.set(key, shown);
      const what = step.kind === 'shadow' ? `shadow ${step.weight}%` : `canary ${step.weight}%`;
      const verdict = step.verdict ? ` (analysis: ${step.verdict.status}; ${step.verdict.checks.map((c) => `${c.name} ${c.status}`).join(', ')})` : '';
      this.write(`      ↳ ${what.padEnd(12)} ${step.status}${verdict}${step.note ? ` — ${step.note}` : ''}`);
    }
    for (const stage of status.stages) {
      if (stage.status === 'pending' || this.seen.get(stage.name) === stage.status) continue;
      this.seen.set(stage.name, stage.status);
      const elapsed = stage.startedAt && stage.finishedAt ? ` (${formatMs(Date.parse(stage.finishedAt) - Date.parse(stage.startedAt))})` : '';
      const summary = stage.status === 'running' ? 'running' : (stage.summary ?? stage.status);
      this.write(`  ${MARKS[stage.status]} ${stage.name.padEnd(10)} ${summary}${elapsed}`);
    }
  }
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** One paragraph on how a deployment ended. */
export function describeOutcome(result: DeploymentResult): string {
  switch (result.outcome) {
    case 'promoted': {
      const pick = result.candidates.find((c) => c.selected && c.artifact?.digest === result.artifact?.digest);
      const report = result.report ? `\n  report: ${result.report.uri}` : '';
      return `promoted: ${result.endpoint} now serves ${result.version} (${pick?.label ?? 'model'} ${result.artifact?.digest.slice(0, 12)}, routing generation ${result.release?.generation})${report}`;
    }
    case 'rejected':
      return `rejected at ${result.failure?.stage}: ${result.failure?.type}: ${result.failure?.message}${result.report ? `\n  report: ${result.report.uri}` : ''}`;
    case 'rolledBack':
      return `rolled back: ${result.failure?.type}: ${result.failure?.message}; ${result.endpoint} serves ${result.rollout?.stableVersion} again (verified: ${JSON.stringify(result.rollout?.rollback?.verified ?? {})})`;
    case 'failed':
      return `failed at ${result.failure?.stage}: ${result.failure?.type}: ${result.failure?.message}`;
  }
}
