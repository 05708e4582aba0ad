/**
 * What routing changed since a replica last looked, from the store's routing change log
 * (`store/routingChangeLog.ts`): one listing per read, whatever the number of endpoints.
 *
 * The log is keyed by the writers' clocks, so each read starts a margin before the reader's time of
 * its previous read: an entry written by a clock up to `skewMarginMs` behind is still seen. Entries
 * are seen more than once (the margin overlaps); the reconciler applies a generation only once.
 */
import { routingChangesSince, type ArtifactStore } from '../store';

export class RoutingChangeFeed {
  /** The reader's time when the previous read (or full pass) started; undefined before the first. */
  private lastReadAt: number | undefined;

  constructor(
    private readonly store: ArtifactStore,
    private readonly skewMarginMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Marks everything logged up to now as known: call when a full pass starts (it reads every routing
   * document, so the next read only needs what is logged from then on).
   */
  markRead(): void {
    this.lastReadAt = this.now();
  }

  /** How long ago the last read or full pass started (Infinity before the first). */
  sinceLastRead(): number {
    return this.lastReadAt === undefined ? Infinity : this.now() - this.lastReadAt;
  }

  /** The highest generation logged per endpoint since the previous read (minus the margin). */
  async read(): Promise<Map<string, number>> {
    const startedAt = this.now();
    const since = (this.lastReadAt ?? startedAt) - this.skewMarginMs;
    const changes = await routingChangesSince(this.store, since);
    this.lastReadAt = startedAt;
    const latest = new Map<string, number>();
    for (const { endpoint, generation } of changes) latest.set(endpoint, Math.max(generation, latest.get(endpoint) ?? 0));
    return latest;
  }
}
