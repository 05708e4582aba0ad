/** How the CLI prints an endpoint's state and history. */
import type { EndpointSnapshot } from '../sdk/client';
import type { EndpointEvent, EndpointState } from '../sdk/schemas';
import { shortDigest } from '../sdk/shortDigest';
import { activeWatchLine } from '../sdk/watchSummary';

export function describeEndpoint(state: EndpointState): string {
  const served = (v: EndpointState['stable']) => (v ? `${v.version} (${shortDigest(v.digest)}, since ${v.since})` : 'none');
  const lines = [
    `endpoint ${state.endpoint}: ${state.phase}`,
    `  stable     ${served(state.stable)}`,
    `  previous   ${served(state.previous)}${state.previous ? '  ← `modelship rollback` returns here' : ''}`,
    `  rolling    ${state.active ? `${state.active.version} ${state.active.phase ?? 'starting'}${state.active.weight !== undefined ? ` at ${state.active.weight}%` : ''} (${state.active.workflowId})` : 'nothing'}`,
    ...(state.active?.watch ? [`  watch      ${activeWatchLine(state.active.watch)}`] : []),
    `  queued     ${state.queue.length === 0 ? 'none' : state.queue.map((d) => d.version).join(', ')}`,
    `  generation ${state.generation}`,
  ];
  const recent = state.history.slice(-5);
  if (recent.length > 0) lines.push('  recent', ...recent.map((e) => `    ${describeEvent(e)}`));
  return lines.join('\n');
}

export function describeEvent(event: EndpointEvent): string {
  const stable = event.stableBefore !== event.stableAfter ? ` [stable ${event.stableBefore ?? 'none'} → ${event.stableAfter ?? 'none'}]` : '';
  return `${event.at}  ${event.kind.padEnd(10)} ${event.version.padEnd(10)} ${event.detail}${stable}`;
}

/** Nothing for a live state; for a recorded one, what may be stale and why. */
export function staleNote(snapshot: EndpointSnapshot): string[] {
  if (snapshot.live) return [];
  const when = snapshot.recordedAt ? ` recorded at ${snapshot.recordedAt}` : '';
  return [
    `  (${snapshot.reason}: showing the last recorded state${when}; a rollout in progress may have moved on since.`,
    '   Start a worker for the live state: `modelship dev` or `modelship worker`)',
  ];
}
