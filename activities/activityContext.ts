/** The slice of the Temporal activity context that stage code needs, so it can run (and be tested) outside one. */
import { Context } from '@temporalio/activity';

export interface ActivityContext {
  heartbeat(details?: unknown): void;
  /** Sleeps, rejecting early if the activity is cancelled. */
  sleep(ms: number): Promise<void>;
}

/** The context of the activity currently executing. */
export function currentActivityContext(): ActivityContext {
  const context = Context.current();
  return {
    heartbeat: (details) => context.heartbeat(details),
    sleep: (ms) => context.sleep(ms),
  };
}
