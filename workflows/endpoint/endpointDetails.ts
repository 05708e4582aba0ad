/** The endpoint and its deployments as people read them: the UI's current details, history lines. Pure. */
import { shortDigest } from '../../sdk/shortDigest';
import { activeWatchLine } from '../../sdk/watchSummary';
import type { DeploymentResult, EndpointState } from '../../sdk/schemas';

/** Markdown for the Temporal UI: what serves, what rolls out, what waits, what happened lately. */
export function endpointDetails(state: EndpointState): string {
  const { active, stable, previous } = state;
  const lines = [
    `**${state.endpoint}** — ${state.phase}`,
    `- stable: ${stable ? `${stable.version} (${shortDigest(stable.digest)})` : 'none'}${previous ? `; previous: ${previous.version}` : ''}`,
    active
      ? `- rolling out: ${active.version} — ${active.phase ?? 'starting'}${active.weight !== undefined ? ` at ${active.weight}%` : ''} (${active.workflowId})`
      : '- rolling out: nothing',
    ...(active?.watch ? [`- ${activeWatchLine(active.watch)}`] : []),
    `- queued: ${state.queue.length === 0 ? 'none' : state.queue.map((d) => d.version).join(', ')}`,
    `- routing generation: ${state.generation}`,
  ];
  if (state.history.length > 0) {
    lines.push(
      '',
      '**Recent**',
      ...state.history
        .slice(-5)
        .reverse()
        .map((e) => `- ${e.at} ${e.kind} ${e.version}: ${e.detail}`),
    );
  }
  return lines.join('\n');
}

/** A deployment's outcome in one history line. */
export function describeResult(result: DeploymentResult | undefined, failure: string | undefined): string {
  if (!result) return `the deployment did not complete: ${failure ?? 'unknown error'}`;
  if (result.failure) return `${result.failure.type} at ${result.failure.stage}: ${result.failure.message}`;
  const pick = result.candidates.find((c) => c.selected && c.artifact?.digest === result.artifact?.digest);
  return `${pick?.label ?? 'model'} ${result.artifact ? shortDigest(result.artifact.digest) : ''} serves at 100% (generation ${result.release?.generation ?? '?'})`;
}

/** An error and its cause, in one line. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}
