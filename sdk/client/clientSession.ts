/**
 * What a {@link ModelshipClient} and every handle it returned share: the Temporal client, and whether
 * it is closed. Each handle call runs through {@link ClientSession.call}: refused at once with a
 * {@link ClientClosedError} after `close()`, stopped with one (its requests cancelled) when the client
 * closes while it waits, and Temporal's errors read as Modelship's (`temporalErrors.ts`).
 */
import type { Client } from '@temporalio/client';
import { cancellable } from './cancellableCall';
import { ClientClosedError } from '../errors';
import { asModelshipError } from './temporalErrors';

export class ClientSession {
  private readonly closing = new AbortController();

  constructor(
    readonly temporal: Client,
    /** Where the Temporal frontend is, for error messages. */
    readonly address = 'unknown',
  ) {}

  /** A session over `client`, or `client` itself if it is one (handles accept either). */
  static of(client: Client | ClientSession): ClientSession {
    return client instanceof ClientSession ? client : new ClientSession(client);
  }

  get closed(): boolean {
    return this.closing.signal.aborted;
  }

  /**
   * Runs `call` (what it does, for the error message; on `workflowId`): {@link ClientClosedError} once
   * the client is closed; with `stop`, it also stops (rejecting with `stop.reason`) when `stop` aborts.
   */
  async call<T>(what: string, workflowId: string, call: (signal: AbortSignal) => Promise<T>, stop?: AbortSignal): Promise<T> {
    if (this.closed) throw new ClientClosedError(what);
    try {
      return await cancellable(this.temporal, stop ? AbortSignal.any([this.closing.signal, stop]) : this.closing.signal, call);
    } catch (error) {
      if (this.closed) throw new ClientClosedError(what);
      if (stop?.aborted && error === stop.reason) throw error;
      throw asModelshipError(error, { workflowId, address: this.address });
    }
  }

  /** Closes the session: calls in flight reject with {@link ClientClosedError} and their requests are cancelled. */
  close(): void {
    this.closing.abort(new ClientClosedError());
  }
}
