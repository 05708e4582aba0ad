/**
 * A client call that stops when a signal aborts: it rejects with the signal's reason at once, and the
 * Temporal requests it has in flight (an Update's long polls, a result's) are cancelled.
 */
import { setMaxListeners } from 'node:events';
import type { Client } from '@temporalio/client';

/** Runs `call` until it settles, or until `stop` aborts (then it rejects with `stop.reason`). */
export async function cancellable<T>(client: Client, stop: AbortSignal, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  stop.throwIfAborted();
  // One controller per call: each request the call makes adds a listener to it, and they go with it.
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  let rejectStopped: (reason: unknown) => void = () => undefined;
  const stopped = new Promise<never>((_resolve, reject) => {
    rejectStopped = reject;
  });
  const cancel = (): void => {
    rejectStopped(stop.reason);
    controller.abort(stop.reason);
  };
  stop.addEventListener('abort', cancel, { once: true });
  try {
    return await Promise.race([client.withAbortSignal(controller.signal, () => call(controller.signal)), stopped]);
  } finally {
    stop.removeEventListener('abort', cancel);
    controller.abort();
  }
}
