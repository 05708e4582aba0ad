/**
 * Runs inference for one loaded version under its serving config: as many runs in flight as the
 * session has instances, a bounded queue (429 when full, 503 on queue timeout), and optional
 * adaptive batching along dimension 0: an idle instance takes at once whatever compatible requests
 * are queued (those that arrived in the same turn of the event loop), and while every instance is
 * busy requests gather, so the next free one takes up to `maxBatchSize` rows of them in one run.
 * Batching never makes a request wait while an instance is idle.
 */
import type { ServingConfig } from '../sdk/schemas';
import { runTimed, type ModelSession, type TimedOutputs } from '../runtime';
import { elementCount, NUMERIC_DATATYPES, type Tensor, type TensorData, type TensorMap } from '../runtime/tensor';
import { HttpError } from '../protocol/httpError';

export const DEFAULT_SERVING: ServingConfig = {
  maxConcurrency: 4,
  maxQueueSize: 256,
  queueTimeoutMs: 0,
  timeoutAction: 'reject',
};

interface Pending {
  feeds: TensorMap;
  outputNames: readonly string[] | undefined;
  /** Rows this request contributes to a batch (its inputs' first dimension). */
  rows: number;
  /** Requests with equal keys can share a batch: same inputs, trailing dims and outputs. */
  batchKey: string | undefined;
  enqueuedAt: number;
  /** The answer and the model's run time (a batch's run time for each request in it). */
  resolve(timed: TimedOutputs): void;
  reject(error: unknown): void;
}

export interface ExecutorObserver {
  /** Called once per model run with the number of requests and rows it served. */
  onRun?(requests: number, rows: number): void;
  onQueueDepth?(depth: number): void;
}

export class VersionExecutor {
  private readonly queue: Pending[] = [];
  private inflight = 0;
  private scheduled = false;
  private closed = false;
  private readonly batching: boolean;
  /** Runs in flight at once: the session's instances (`maxConcurrency` for a session that does not say). */
  readonly concurrency: number;

  constructor(
    private readonly session: ModelSession,
    readonly config: ServingConfig = DEFAULT_SERVING,
    private readonly observer: ExecutorObserver = {},
  ) {
    // Batching needs a batch dimension: every input's first dimension must be dynamic.
    this.batching =
      config.batching !== undefined && config.batching.maxBatchSize > 1 && session.signature.inputs.every((i) => i.shape.length > 0 && i.shape[0] === -1);
    this.concurrency = session.instances ?? config.maxConcurrency;
  }

  get queueDepth(): number {
    return this.queue.length;
  }

  run(feeds: TensorMap, outputNames?: readonly string[]): Promise<TensorMap> {
    return this.runTimed(feeds, outputNames).then((timed) => timed.outputs);
  }

  /** Like `run`, with the model's own run time (`runMs`; in a batch, the batch's run time): what stats record as compute. */
  runTimed(feeds: TensorMap, outputNames?: readonly string[]): Promise<TimedOutputs> {
    if (this.closed) return Promise.reject(new HttpError(503, 'this model version is being unloaded; retry'));
    // Requests an idle instance takes at once do not count against the queue.
    if (this.queue.length >= this.config.maxQueueSize + Math.max(0, this.concurrency - this.inflight)) {
      return Promise.reject(
        new HttpError(429, `too many requests: ${this.queue.length} queued for this model version (max ${this.config.maxQueueSize})`, {
          'retry-after': '1',
        }),
      );
    }
    return new Promise<TimedOutputs>((resolve, reject) => {
      const rows = firstDimension(feeds);
      this.queue.push({
        feeds,
        outputNames,
        rows,
        batchKey: this.batching ? batchKey(feeds, outputNames) : undefined,
        enqueuedAt: performance.now(),
        resolve,
        reject,
      });
      this.observer.onQueueDepth?.(this.queue.length);
      if (!this.batching) this.dispatch();
      else if (this.inflight < this.concurrency) this.dispatchSoon();
      // (else the next run to finish dispatches, taking a batch of what gathered meanwhile)
    });
  }

  /** Refuses new work; in-flight and queued requests still finish. */
  close(): void {
    this.closed = true;
  }

  /** Resolves once nothing is queued or running. */
  async drained(): Promise<void> {
    while (this.inflight > 0 || this.queue.length > 0) await new Promise((r) => setTimeout(r, 5));
  }

  /**
   * Dispatches at the end of this turn of the event loop: requests that arrived in the same turn
   * share a run, and none waits for later ones.
   */
  private dispatchSoon(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.inflight < this.concurrency && this.queue.length > 0) {
      this.expireTimedOut();
      if (this.queue.length === 0) break;
      const batch = this.batching ? this.takeBatch() : [this.queue.shift() as Pending];
      this.observer.onQueueDepth?.(this.queue.length);
      this.inflight++;
      void this.execute(batch).finally(() => {
        this.inflight--;
        this.dispatch();
      });
    }
  }

  private expireTimedOut(): void {
    const { queueTimeoutMs, timeoutAction } = this.config;
    if (queueTimeoutMs <= 0 || timeoutAction !== 'reject') return;
    const now = performance.now();
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const item = this.queue[i] as Pending;
      if (now - item.enqueuedAt > queueTimeoutMs) {
        this.queue.splice(i, 1);
        item.reject(new HttpError(503, `request waited more than ${queueTimeoutMs} ms in the queue`, { 'retry-after': '1' }));
      }
    }
  }

  /** The next batch: compatible requests from the head of the queue, up to `maxBatchSize` rows. */
  private takeBatch(): Pending[] {
    const batching = this.config.batching as NonNullable<ServingConfig['batching']>;
    const head = this.queue[0] as Pending;
    if (head.batchKey === undefined) return [this.queue.shift() as Pending];
    const compatible: number[] = [];
    let rows = 0;
    for (let i = 0; i < this.queue.length && rows < batching.maxBatchSize; i++) {
      const item = this.queue[i] as Pending;
      if (item.batchKey !== head.batchKey) {
        if (batching.preserveOrdering || item.batchKey === undefined) break;
        continue;
      }
      if (rows + item.rows > batching.maxBatchSize && compatible.length > 0) break;
      compatible.push(i);
      rows += item.rows;
    }
    const taken: Pending[] = [];
    for (let k = compatible.length - 1; k >= 0; k--) taken.unshift(...this.queue.splice(compatible[k] as number, 1));
    return taken;
  }

  private async execute(batch: Pending[]): Promise<void> {
    const rows = batch.reduce((n, p) => n + p.rows, 0);
    this.observer.onRun?.(batch.length, rows);
    if (batch.length === 1) return this.runAlone(batch[0] as Pending);
    let parts: TensorMap[] | undefined;
    let runMs = 0;
    try {
      const feeds = concatenate(batch.map((p) => p.feeds));
      // The concatenated feeds are this run's own: they move to the instance without a copy.
      const timed = this.session.runOwned
        ? await this.session.runOwned(feeds, batch[0]?.outputNames)
        : await runTimed(this.session, feeds, batch[0]?.outputNames);
      const { outputs } = timed;
      runMs = timed.runMs;
      // Undefined when the outputs are not batch-major (first dimension ≠ total rows).
      parts = split(
        outputs,
        batch.map((p) => p.rows),
      );
    } catch {
      // One request's values can fail the whole batch (an index past a vocabulary, say): run each
      // on its own below, so only the request that caused it fails, with its own error.
      parts = undefined;
    }
    if (!parts) {
      for (const p of batch) await this.runAlone(p);
      return;
    }
    batch.forEach((p, i) => p.resolve({ outputs: parts[i] as TensorMap, runMs }));
  }

  private async runAlone(p: Pending): Promise<void> {
    try {
      p.resolve(await runTimed(this.session, p.feeds, p.outputNames));
    } catch (error) {
      p.reject(error);
    }
  }
}

function firstDimension(feeds: TensorMap): number {
  const first = Object.values(feeds)[0];
  return first && first.shape.length > 0 ? (first.shape[0] as number) : 1;
}

function batchKey(feeds: TensorMap, outputNames: readonly string[] | undefined): string | undefined {
  const parts: string[] = [];
  for (const name of Object.keys(feeds).sort()) {
    const t = feeds[name] as Tensor;
    if (t.shape.length === 0 || t.datatype === 'BYTES') return undefined;
    parts.push(`${name}:${t.datatype}:${t.shape.slice(1).join('x')}`);
  }
  return `${parts.join('|')}>${outputNames?.join(',') ?? '*'}`;
}

/** Concatenates each input along dimension 0. */
function concatenate(requests: TensorMap[]): TensorMap {
  const first = requests[0] as TensorMap;
  const out: TensorMap = {};
  for (const name of Object.keys(first)) {
    const tensors = requests.map((r) => r[name] as Tensor);
    const head = tensors[0] as Tensor;
    const rows = tensors.reduce((n, t) => n + (t.shape[0] as number), 0);
    const shape = [rows, ...head.shape.slice(1)];
    const { array } = NUMERIC_DATATYPES[head.datatype as Exclude<Tensor['datatype'], 'BYTES'>];
    const data = new array(elementCount(shape));
    let offset = 0;
    for (const t of tensors) {
      (data as { set(src: ArrayLike<number | bigint>, offset: number): void }).set(t.data as ArrayLike<number | bigint>, offset);
      offset += (t.data as ArrayLike<unknown>).length;
    }
    out[name] = { datatype: head.datatype, shape, data: data as TensorData };
  }
  return out;
}

/** Splits each output along dimension 0 into the requests' row counts; undefined if not batch-major. */
function split(outputs: TensorMap, rows: number[]): TensorMap[] | undefined {
  const total = rows.reduce((a, b) => a + b, 0);
  const parts: TensorMap[] = rows.map(() => ({}));
  for (const [name, t] of Object.entries(outputs)) {
    if (t.shape.length === 0 || t.shape[0] !== total) return undefined;
    const rowSize = elementCount(t.shape.slice(1));
    let offset = 0;
    rows.forEach((r, i) => {
      const data = Array.isArray(t.data)
        ? t.data.slice(offset * rowSize, (offset + r) * rowSize)
        : (t.data as Float32Array).slice(offset * rowSize, (offset + r) * rowSize);
      (parts[i] as TensorMap)[name] = { datatype: t.datatype, shape: [r, ...t.shape.slice(1)], data: data as TensorData };
      offset += r;
    });
  }
  return parts;
}
