/**
 * A deployment as a stream of events: the status → events diff (what changed since the last status:
 * queued, each stage as it starts and ends, each rollout step as it changes, a failed stage waiting
 * for an operator and the operator's decision), and the stream that
 * yields them as they come, then the outcome.
 */
import type { DeploymentFailure, DeploymentResult, DeploymentStatus, RetryDecisionRecord, RolloutStep, StageState } from '../schemas';

/** What {@link DeploymentHandle.events} yields: one event per change, then the outcome. */
export type DeploymentEvent =
  | { type: 'queued'; workflowId: string; position: number }
  | { type: 'stage'; stage: StageState['name']; status: StageState['status']; summary?: string; startedAt?: string; finishedAt?: string }
  | { type: 'step'; index: number; step: RolloutStep }
  /** A stage failed for an infrastructure reason and waits (phase `WaitingForRetry`) until `until` for `retry` or `abort`. */
  | { type: 'waiting'; stage: string; failure: DeploymentFailure; since: string; until: string }
  /** An operator's decision on the waiting stage: it runs again (`retried`) or the deployment ends failed (`aborted`). */
  | ({ type: 'retried' | 'aborted' } & Omit<RetryDecisionRecord, 'action'>)
  | { type: 'finished'; result: DeploymentResult };

/** Follows a deployment: calls `onStatus` on each change, returns its result; stops (rejecting) when `signal` aborts. */
export type Follow = (onStatus: (status: DeploymentStatus) => void, signal: AbortSignal) => Promise<DeploymentResult>;

/** A diff over successive statuses: the events each new status brings (nothing twice). */
export function statusDiff(workflowId: string): (status: DeploymentStatus) => DeploymentEvent[] {
  const seen = new Map<string, string>();
  return (status) => {
    const events: DeploymentEvent[] = [];
    const emit = (key: string, value: unknown, event: DeploymentEvent): void => {
      const json = JSON.stringify(value);
      if (seen.get(key) === json) return;
      seen.set(key, json);
      events.push(event);
    };
    if (status.phase === 'Queued') emit('queued', status.phase, { type: 'queued', workflowId, position: 0 });
    for (const stage of status.stages) {
      if (stage.status === 'pending') continue;
      emit(`stage:${stage.name}`, [stage.status, stage.summary], {
        type: 'stage',
        stage: stage.name,
        status: stage.status,
        summary: stage.summary,
        startedAt: stage.startedAt,
        finishedAt: stage.finishedAt,
      });
    }
    for (const [index, step] of (status.rollout?.steps ?? []).entries()) {
      if (step.status === 'pending') continue;
      emit(`step:${index}`, step, { type: 'step', index, step });
    }
    const waiting = status.waiting;
    if (waiting)
      emit(`waiting:${waiting.since}`, waiting, {
        type: 'waiting',
        stage: waiting.stage,
        failure: waiting.failure,
        since: waiting.since,
        until: waiting.until,
      });
    for (const [index, { action, ...decision }] of (status.decisions ?? []).entries()) {
      emit(`decision:${index}`, decision, { type: action === 'retry' ? 'retried' : 'aborted', ...decision });
    }
    return events;
  };
}

/** The events of a deployment as `follow` reports its statuses, then `finished`; a consumer that stops early stops `follow`. */
export async function* deploymentEvents(workflowId: string, follow: Follow): AsyncGenerator<DeploymentEvent, void, undefined> {
  const diff = statusDiff(workflowId);
  const pending: DeploymentEvent[] = [];
  let outcome: { result: DeploymentResult } | { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const stop = new AbortController();
  follow((status) => {
    pending.push(...diff(status));
    notify();
  }, stop.signal).then(
    (result) => {
      outcome = { result };
      notify();
    },
    (error: unknown) => {
      outcome = { error: error ?? new Error('following the deployment failed') };
      notify();
    },
  );
  try {
    for (;;) {
      while (pending.length > 0) yield pending.shift() as DeploymentEvent;
      if (outcome && 'error' in outcome) throw outcome.error;
      if (outcome) {
        yield { type: 'finished', result: outcome.result };
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    // The consumer stopped early (break, return, throw): stop following too.
    stop.abort();
  }
}
