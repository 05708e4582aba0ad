/**
 * An operator's hold on a rollout: the `abort`, `approve`, `pause` and `resume` Updates (each with a
 * validator, so a caller learns at once whether it was accepted), and the waits they act on — a
 * bake that stops its clock while paused, an approval gate, a hold before the next traffic change.
 * Deterministic: `@temporalio/workflow` and sdk types only.
 */
import { condition, setHandler } from '@temporalio/workflow';
import { abortUpdate, approveUpdate, endWatchSignal, pauseUpdate, resumeUpdate, type ControlRequest } from '../../sdk/definitions';
import type { RolloutState } from '../../sdk/schemas';
import { rollBack } from './rollBack';

type RolloutPhase = RolloutState['state'];

export class RolloutControls {
  private abortRequest: ControlRequest | undefined;
  /** An operator's rollback at the endpoint during the watch. */
  private watchEnd: ControlRequest | undefined;
  private approval: ControlRequest | undefined;
  private paused = false;

  /**
   * @param state the rollout's state; its `state` field says which commands are accepted
   * @param setState moves the rollout to a phase (and tells observers)
   */
  constructor(
    private readonly state: RolloutState,
    private readonly setState: (next: RolloutPhase) => void,
    version: string,
  ) {
    const active = (): boolean => !['promoting', 'rolling-back', 'done'].includes(state.state);
    setHandler(
      abortUpdate,
      (request) => {
        this.abortRequest = request;
        return `aborting the rollout of ${version}: traffic returns to ${state.stableVersion}`;
      },
      { validator: (_request: ControlRequest) => void (active() || reject(`the rollout is ${state.state}; nothing to abort`)) },
    );
    setHandler(
      approveUpdate,
      (request) => {
        this.approval = request;
        return `approved step at ${state.weight}%`;
      },
      {
        validator: (_request: ControlRequest) =>
          void (state.state === 'awaiting-approval' || reject(`no step is waiting for approval (the rollout is ${state.state})`)),
      },
    );
    setHandler(
      pauseUpdate,
      (_request: ControlRequest) => {
        this.paused = true;
        return `paused at ${state.weight}%`;
      },
      {
        validator: (_request: ControlRequest) =>
          void (
            (['baking', 'rollback-window', 'watching'].includes(state.state) && !this.paused) ||
            reject(`only a baking step can be paused (the rollout is ${state.state})`)
          ),
      },
    );
    setHandler(
      resumeUpdate,
      (_request: ControlRequest) => {
        this.paused = false;
        return `resumed at ${state.weight}%`;
      },
      { validator: (_request: ControlRequest) => void (this.paused || reject('the rollout is not paused')) },
    );
    setHandler(endWatchSignal, (request) => {
      // Whatever the watch is doing (baking, analyzing, paused): its next step acts on it.
      if (state.watch?.phase === 'watching') this.watchEnd ??= request;
    });
  }

  /** Who stopped the rollout (an abort's or an operator's rollback's `by`), if someone did. */
  stoppedBy(): string | undefined {
    return (this.watchEnd ?? this.abortRequest)?.by;
  }

  private stopRequested(): boolean {
    return this.abortRequest !== undefined || this.watchEnd !== undefined;
  }

  /** Throws the rollback an accepted abort asks for. */
  checkAbort(): void {
    const end = this.watchEnd;
    if (end) throw rollBack('RolloutAborted', `rolled back${end.by ? ` by ${end.by}` : ''} during the watch: ${end.reason ?? 'no reason given'}`);
    const request = this.abortRequest;
    if (request) throw rollBack('RolloutAborted', `aborted${request.by ? ` by ${request.by}` : ''}: ${request.reason ?? 'no reason given'}`);
  }

  /** Waits `ms` of un-paused time; an abort interrupts it. */
  async bake(ms: number, running: RolloutPhase = 'baking'): Promise<void> {
    let remaining = ms;
    while (remaining > 0) {
      this.setState(this.paused ? 'paused' : running);
      if (this.paused) {
        await condition(() => !this.paused || this.stopRequested());
        this.checkAbort();
        continue;
      }
      const started = Date.now();
      await condition(() => this.stopRequested() || this.paused, remaining);
      this.checkAbort();
      remaining -= Date.now() - started;
    }
  }

  /** A pause that arrived as a bake ended holds the rollout before its next traffic change. */
  async holdWhilePaused(): Promise<void> {
    if (this.paused) {
      this.setState('paused');
      await condition(() => !this.paused || this.abortRequest !== undefined);
    }
    this.checkAbort();
  }

  /** Waits for an approval (or an abort) up to `timeoutMs`; the approval, or undefined on timeout. */
  async awaitApproval(timeoutMs: number): Promise<ControlRequest | undefined> {
    this.setState('awaiting-approval');
    await condition(() => this.approval !== undefined || this.abortRequest !== undefined, timeoutMs);
    this.checkAbort();
    const approval = this.approval;
    this.approval = undefined;
    return approval;
  }
}

function reject(message: string): never {
  throw new Error(message);
}
