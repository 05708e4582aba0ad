/**
 * The fault switch, for demos and tests of the post-promotion watch: injected errors (a share of
 * requests answered 500, saying the fault is injected) and added latency for one endpoint and
 * version. Off unless the gateway starts with `--allow-fault-injection` (or
 * `MODELSHIP_ALLOW_FAULT_INJECTION=1`); set through the admin route `POST /admin/faults` (bearer
 * token like every admin route). An injected error counts against the version in the stats window
 * and the metrics exactly like a real one: it is thrown where the model would have failed.
 */
import { z } from 'zod';
import { HttpError } from '../protocol/httpError';

/** One fault: what share of requests fail, and how much slower every request is. */
export const faultSettings = z.strictObject({
  endpoint: z.string().min(1),
  version: z.string().min(1),
  /** Share of requests answered 500 (0 = none, 1 = all). */
  errorRate: z.number().min(0).max(1).default(0),
  /** Milliseconds added to every request before the model runs. */
  latencyMs: z.number().int().min(0).max(60_000).default(0),
});
export type FaultSettings = z.output<typeof faultSettings>;

export class FaultInjector {
  private readonly faults = new Map<string, FaultSettings>();

  constructor(private readonly random: () => number = Math.random) {}

  /** Sets (or, with both at 0, clears) the fault of `settings.endpoint`/`settings.version`. */
  set(settings: FaultSettings): void {
    const key = keyOf(settings.endpoint, settings.version);
    if (settings.errorRate === 0 && settings.latencyMs === 0) this.faults.delete(key);
    else this.faults.set(key, settings);
  }

  list(): FaultSettings[] {
    return [...this.faults.values()];
  }

  /** Fails the request at its fault's error rate (before the model runs, as a model fault would). */
  failIfInjected(endpoint: string, version: string): void {
    const fault = this.faults.get(keyOf(endpoint, version));
    if (fault && fault.errorRate > 0 && this.random() < fault.errorRate) {
      throw new HttpError(500, `injected fault: ${endpoint}/${version} fails ${fault.errorRate * 100}% of requests (fault switch, --allow-fault-injection)`);
    }
  }

  /**
   * Waits the fault's added latency, once the model has answered (so a version unloaded meanwhile
   * has no request of it in flight), and answers how long it waited: counted as the model's time.
   */
  async delay(endpoint: string, version: string): Promise<number> {
    const latencyMs = this.faults.get(keyOf(endpoint, version))?.latencyMs ?? 0;
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    return latencyMs;
  }
}

function keyOf(endpoint: string, version: string): string {
  return `${endpoint}\u0000${version}`;
}
