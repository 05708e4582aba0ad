/**
 * Following a deployment's status without polling: each `watchStatus` Update is answered by the
 * deployment when its status changes, and is raced with the deployment's result (a deployment that
 * ends while a watch waits abandons the watch: its result is read then). A watch that fails for
 * another reason (a transient error, a worker without the handler) is followed by one status query,
 * and the next watch after a pause.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { cancellable } from './cancellableCall';
import { deploymentStatusQuery, watchStatusUpdate } from '../definitions';
import type { DeploymentStatus } from '../schemas';

export interface StatusWatch {
  client: Client;
  /** The deployment's run. */
  handle: WorkflowHandle;
  /** Settles when the deployment has ended (with its result, or the failure to get it). */
  ended: Promise<unknown>;
  onStatus: (status: DeploymentStatus) => void;
  /** The pause after a watch failed, before the next one. */
  retryMs: number;
  /** Stops watching: the promise rejects with its reason. */
  stop: AbortSignal;
}

/** The reason the round's signal carries when the deployment has ended. */
const ENDED = Symbol('ended');

/** Calls `onStatus` with each status the deployment reports, until it has ended. */
export async function watchStatusUntilEnded(watch: StatusWatch): Promise<void> {
  const { client, handle, onStatus, stop } = watch;
  // Aborted when the deployment ends or the caller stops: whichever comes first cancels the call in flight.
  const round = new AbortController();
  const stopRound = (): void => round.abort(stop.reason);
  if (stop.aborted) stopRound();
  stop.addEventListener('abort', stopRound, { once: true });
  const markEnded = (): void => round.abort(ENDED);
  watch.ended.then(markEnded, markEnded);
  /** The call's answer; `undefined` if it failed; `ENDED` once the deployment has ended; throws once stopped. */
  const attempt = async <T>(call: (signal: AbortSignal) => Promise<T>): Promise<T | typeof ENDED | undefined> => {
    try {
      return await cancellable(client, round.signal, call);
    } catch (error) {
      if (round.signal.reason === ENDED) return ENDED;
      if (round.signal.aborted) throw error;
      return undefined;
    }
  };
  try {
    let revision = -1; // below any revision: the first watch answers at once with the current status
    for (;;) {
      const change = await attempt(() => handle.executeUpdate(watchStatusUpdate, { args: [{ afterRevision: revision }] }));
      if (change === ENDED) return;
      if (change) {
        revision = change.revision;
        onStatus(change.status);
        continue;
      }
      // The watch failed: most often the deployment ended while it waited (its result settles it).
      if ((await attempt((signal) => sleep(watch.retryMs, undefined, { signal }))) === ENDED) return;
      // Otherwise read the status once (the query can fail in the moment between workflow tasks), and watch again.
      const status = await attempt(() => handle.query(deploymentStatusQuery));
      if (status === ENDED) return;
      if (status) onStatus(status);
    }
  } finally {
    stop.removeEventListener('abort', stopRound);
  }
}
