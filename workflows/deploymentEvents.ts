/**
 * The notifications a deployment sends, built from its status: its outcome (promoted, rejected,
 * rolled back) and a canary step waiting for approval. Pure and deterministic: sdk types only.
 */
import type { DeploymentResult, DeploymentStatus, NotificationEvent } from '../sdk/schemas';

/** An event without its time and workflow (filled in by `notify`). */
export type DeploymentEvent = Omit<NotificationEvent, 'at'>;

/** The event of a deployment's outcome; none for `failed` (an error of the pipeline, not a decision about the model). */
export function outcomeEvent(status: DeploymentStatus, outcome: DeploymentResult['outcome']): DeploymentEvent | undefined {
  const { endpoint, version } = status;
  const reason = status.failure ? `${status.failure.type}: ${status.failure.message}` : undefined;
  const details = {
    ...(status.rollout ? { strategy: status.rollout.strategy, stableVersion: status.rollout.stableVersion } : {}),
    ...(status.artifact ? { digest: status.artifact.digest } : {}),
    ...(status.failure?.stage ? { stage: status.failure.stage } : {}),
    ...(status.report ? { report: status.report.uri } : {}),
  };
  const common = { endpoint, version, details, ...(reason ? { reason } : {}), ...reportLink(status) };
  switch (outcome) {
    case 'promoted':
      return { kind: 'promoted', summary: `${version} promoted: it serves all of ${endpoint}'s traffic`, ...common };
    case 'rejected':
      return { kind: 'rejected', summary: `${version} rejected for ${endpoint} before any traffic`, ...common };
    case 'rolledBack': {
      const to = status.rollout?.stableVersion;
      const back = to ? `: traffic returned to ${to}` : '';
      // A rollback after promotion, by the post-promotion watch (or an operator during it), is its own kind of news.
      const watch = status.rollout?.watch;
      if (watch?.phase === 'failed') {
        const watchDetails = {
          ...details,
          watch: { since: watch.since, until: watch.until },
          ...(status.rollout?.rollback ? { rollback: status.rollout.rollback } : {}),
        };
        return { kind: 'watchFailed', summary: `${version} failed its post-promotion watch on ${endpoint}${back}`, ...common, details: watchDetails };
      }
      return { kind: 'rolledBack', summary: `${version} rolled back on ${endpoint}${back}`, ...common };
    }
    case 'failed':
      return undefined;
  }
}

/** The event of a canary step at `weight`% waiting for `modelship approve` for up to `timeoutMs`. */
export function approvalEvent(spec: { endpoint: string; version: string }, weight: number, timeoutMs: number, onTimeout: string): DeploymentEvent {
  return {
    kind: 'waitingForApproval',
    endpoint: spec.endpoint,
    version: spec.version,
    summary: `${spec.version} waits for approval at ${weight}% of ${spec.endpoint}'s traffic`,
    reason: `run \`modelship approve ${spec.endpoint}/${spec.version}\` (or \`abort\`) within ${Math.round(timeoutMs / 1000)} s; then: ${onTimeout}`,
    details: { weight, timeoutMs, onTimeout },
  };
}

/** A report a person can open (an http(s) URI) is the event's link; a store path is only named in its details. */
function reportLink(status: DeploymentStatus): { link?: string } {
  const uri = status.report?.uri;
  return uri && /^https?:\/\//.test(uri) ? { link: uri } : {};
}
