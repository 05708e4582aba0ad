/** The slice of the Temporal activity context that stage code needs, so it can run (and be tested) outside one. */
import { Context } from '@temporalio/activity';

export interface ActivityContext {
  heartbeat(details?: unknown): void;
  /** Sleeps, rejecting early if the activity is cancelled. */
  sleep(ms: number): Promise<void>;
  /** Details of the last heartbeat of a previous attempt (for resuming), if any. */
  readonly heartbeatDetails: unknown;
  /** Which worker runs this attempt. */
  readonly workerIdentity: string;
  /** Aborted when the activity is cancelled or times out: long reads and loops check it. */
  readonly signal: AbortSignal;
}

/** The context of the activity currently executing. */
export function currentActivityContext(): ActivityContext {
  const context = Context.current();
  return {
    heartbeat: (details) => context.heartbeat(details),
    sleep: (ms) => context.sleep(ms),
    heartbeatDetails: context.info.heartbeatDetails,
    workerIdentity: context.info.taskQueue,
    signal: context.cancellationSignal,
  };
}

/** A context for running stage code outside Temporal (tests, benchmarks, scripts). */
export function standaloneContext(heartbeatDetails?: unknown): ActivityContext {
  return {
    heartbeat: () => undefined,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    heartbeatDetails,
    workerIdentity: 'standalone',
    signal: new AbortController().signal,
  };
}
