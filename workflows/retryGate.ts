/**
 * A failed stage that waits for an operator. When a stage fails for an infrastructure reason after
 * its activity retries and the spec says `onInfrastructureFailure: wait`, the deployment shows phase
 * `WaitingForRetry` and waits up to `waitUpTo` for `retry` or `abort`: Signals (for the Temporal UI's
 * "Send a Signal") or Updates (for the client and CLI, rejected at once when nothing waits).
 * Deterministic: `@temporalio/workflow` and pure `sdk/` modules only.
 */
import { condition, log, setHandler } from '@temporalio/workflow';
import { abortSignal, abortUpdate, retrySignal, retryUpdate, type ControlRequest } from '../sdk/definitions';
import type { DeploymentFailure, DeploymentStatus, InfrastructureFailurePolicy } from '../sdk/schemas';

/** Patch id: a stage that failed for an infrastructure reason waits for `retry` or `abort` (before: the deployment failed). */
export const WAIT_FOR_RETRY = 'wait-for-retry';

/** What the operator decided: re-run the stage, or end with `failure` (aborted, or nobody decided in time). */
export type RetryOutcome = { retry: true } | { retry: false; failure: DeploymentFailure };

type Action = 'retry' | 'abort';
interface Decision {
  action: Action;
  by: string;
  reason?: string;
}

export class RetryGate {
  private decision: Decision | undefined;

  constructor(private readonly status: DeploymentStatus) {
    setHandler(retrySignal, (request) => this.signalled('retry', request));
    setHandler(abortSignal, (request) => this.signalled('abort', request));
    setHandler(retryUpdate, (request) => this.decide('retry', request), { validator: (_request: ControlRequest) => this.checkWaiting('retry') });
  }

  /**
   * Waits for a decision on `failure` of the stage `stage`: `{ retry: true }` on `retry`; on `abort`
   * an `Aborted` failure saying who and why; after `policy.waitUpTo`, the failure saying nobody retried.
   */
  async wait(stage: string, failure: DeploymentFailure, policy: InfrastructureFailurePolicy, show: () => void): Promise<RetryOutcome> {
    const now = Date.now();
    this.status.waiting = { stage, failure, since: new Date(now).toISOString(), until: new Date(now + policy.waitUpTo).toISOString() };
    this.decision = undefined;
    // Registered here (not at start), so an abort during a rollout still reaches the rollout's own handler.
    setHandler(abortUpdate, (request) => this.decide('abort', request), { validator: (_request: ControlRequest) => this.checkWaiting('abort') });
    show();
    const decided = await condition(() => this.decision !== undefined, policy.waitUpTo);
    this.status.waiting = undefined;
    // Set by a handler while the condition waited (flow analysis cannot see that).
    const decision = this.decision as Decision | undefined;
    if (!decided || !decision) {
      return { retry: false, failure: { ...failure, message: `${failure.message}; nobody retried within ${describeMs(policy.waitUpTo)}` } };
    }
    (this.status.decisions ??= []).push({ action: decision.action, stage, by: decision.by, reason: decision.reason, at: new Date().toISOString() });
    if (decision.action === 'retry') return { retry: true };
    const why = `aborted by ${decision.by} while the ${stage} stage waited for a retry: ${decision.reason ?? 'no reason given'}`;
    return { retry: false, failure: { type: 'Aborted', stage, message: `${why} (it had failed: ${failure.type}: ${failure.message})` } };
  }

  private decide(action: Action, request: ControlRequest): string {
    const stage = this.status.waiting?.stage;
    this.decision = { action, by: request.by ?? 'someone (no "by" given)', ...(request.reason !== undefined ? { reason: request.reason } : {}) };
    return action === 'retry' ? `retrying the ${stage} stage` : `aborting: the deployment ends as failed (Aborted) at the ${stage} stage`;
  }

  /** A Signal is not answered: one that does not apply is logged and dropped. */
  private signalled(action: Action, request: ControlRequest | undefined): void {
    if (!this.status.waiting || this.decision) {
      log.warn(`a ${action} signal arrived while no stage waits for retry; ignored`, { request });
      return;
    }
    this.decide(action, request ?? {});
  }

  private checkWaiting(action: Action): void {
    if (!this.status.waiting) throw new Error(`no stage is waiting for retry (the deployment is ${this.status.phase}); nothing to ${action}`);
    if (this.decision) throw new Error(`the ${this.status.waiting.stage} stage has already been given a decision (${this.decision.action})`);
  }
}

/** `86400000` → `24h`, `90000` → `90s`. */
function describeMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
