/**
 * Sampled data capture: a share of the requests a replica serves (inputs and the outputs answered),
 * buffered in memory per endpoint and version and written to the store as capture bundles
 * (`capture/<endpoint>/<version>/…`, see `runtime/capturedTraffic.ts`) every few seconds or when a
 * bundle is full. Bounded: rows per bundle, bundles kept per version (the writer deletes older ones),
 * and at most one bundle waiting per version while a write is slow (more samples are dropped).
 * Offering a request is a coin toss and a push; a failed write is logged and its bundle dropped,
 * never seen by a request.
 *
 * @example
 * const capture = new TrafficCapture({ store, replicaId, rate: 0.1, log });
 * capture.offer('fraud', 'v2', feeds, outputs); // after the answer is sent
 * await capture.close(); // writes what is buffered
 */
import { encodeCaptureBundle, requestRows, type CapturedRequest } from '../runtime/capturedTraffic';
import type { TensorMap } from '../runtime';
import { storeKeys, writeDocument, type ArtifactStore } from '../store';

export interface CaptureOptions {
  /** Share of successful requests captured, 0-1 (0 = off). */
  rate: number;
  /** Rows per bundle: a bundle is written when it holds this many. Default 256. */
  maxRows?: number;
  /** Bundles kept per endpoint and version; the writer deletes older ones. Default 100. */
  retention?: number;
  /** How often buffered requests are written, in ms. Default 5000. */
  flushIntervalMs?: number;
}

export interface TrafficCaptureDeps extends CaptureOptions {
  store: ArtifactStore;
  replicaId: string;
  log: (message: string) => void;
  /** Uniform in [0, 1); injectable for tests. */
  random?: () => number;
  now?: () => number;
}

interface VersionBuffer {
  endpoint: string;
  version: string;
  requests: Pick<CapturedRequest, 'inputs' | 'outputs'>[];
  rows: number;
  /** The write in flight for this version, if any: one at a time, in order. */
  writing?: Promise<void>;
}

export class TrafficCapture {
  private readonly buffers = new Map<string, VersionBuffer>();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly maxRows: number;
  private readonly retention: number;
  private seq = 0;
  /** Samples dropped because a write was still in flight and the buffer was full. */
  dropped = 0;

  constructor(private readonly deps: TrafficCaptureDeps) {
    this.maxRows = deps.maxRows ?? 256;
    this.retention = deps.retention ?? 100;
    if (deps.rate > 0) {
      this.timer = setInterval(() => void this.flush(), deps.flushIntervalMs ?? 5000);
      this.timer.unref();
    }
  }

  get enabled(): boolean {
    return this.deps.rate > 0;
  }

  /** Offers a served request: kept with probability `rate`; written later, off the request's path. */
  offer(endpoint: string, version: string, inputs: TensorMap, outputs: TensorMap): void {
    if (this.deps.rate <= 0 || (this.deps.random ?? Math.random)() >= this.deps.rate) return;
    const key = `${endpoint}/${version}`;
    let buffer = this.buffers.get(key);
    if (!buffer) this.buffers.set(key, (buffer = { endpoint, version, requests: [], rows: 0 }));
    if (buffer.rows >= this.maxRows) {
      this.dropped++;
      return;
    }
    buffer.requests.push({ inputs, outputs });
    buffer.rows += requestRows(inputs);
    if (buffer.rows >= this.maxRows && !buffer.writing) void this.write(buffer);
  }

  /** Writes every buffered request now (what the timer does); resolves when the writes are done. */
  async flush(): Promise<void> {
    await Promise.all([...this.buffers.values()].map((buffer) => this.flushBuffer(buffer)));
  }

  /** Stops the timer and writes what is buffered. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  private async flushBuffer(buffer: VersionBuffer): Promise<void> {
    while (buffer.writing) await buffer.writing;
    if (buffer.requests.length > 0) await this.write(buffer);
  }

  /** Takes the buffer's requests and writes them as one bundle, then applies retention; failures are logged and the bundle dropped. */
  private write(buffer: VersionBuffer): Promise<void> {
    const requests = buffer.requests;
    buffer.requests = [];
    buffer.rows = 0;
    const { endpoint, version } = buffer;
    const now = (this.deps.now ?? Date.now)();
    const key = storeKeys.capture(endpoint, version, now, this.deps.replicaId, this.seq++);
    const header = { endpoint, version, replicaId: this.deps.replicaId, capturedAt: new Date(now).toISOString() };
    // Encoded on a later turn of the event loop (never on the path of the request that filled the
    // buffer), and inside the chain, so an encoding error is logged like a failed write.
    buffer.writing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => writeDocument(this.deps.store, key, encodeCaptureBundle(header, requests)))
      .then(() => this.applyRetention(endpoint, version))
      .catch((error: unknown) => this.deps.log(`capture of ${endpoint}/${version}: ${requests.length} request(s) dropped: ${String(error)}`))
      .finally(() => {
        buffer.writing = undefined;
        // Full again while this write was in flight: write that one too.
        if (buffer.rows >= this.maxRows) void this.write(buffer);
      });
    return buffer.writing;
  }

  /** Deletes the version's oldest bundles beyond `retention` (every replica's: the time leads the key). */
  private async applyRetention(endpoint: string, version: string): Promise<void> {
    const keys = (await this.deps.store.list(storeKeys.capturePrefix(endpoint, version))).filter((k) => storeKeys.captureOf(k) !== undefined);
    const excess = keys.length - this.retention;
    for (const key of keys.slice(0, Math.max(0, excess))) await this.deps.store.delete(key);
  }
}
