/**
 * A model's instances: worker threads (`instanceWorker.ts`), each holding its own onnxruntime
 * session, behind the {@link ModelSession} port. The calling thread only posts feeds and receives
 * outputs, so its event loop (HTTP, health, heartbeats) never waits for a model. Runs go to an idle
 * instance, or wait in order for the next one. An instance that exits or errors fails the request
 * it was running with an {@link InstanceCrashedError} and is restarted from the same model bytes.
 *
 * @example
 * const session = await InstancePool.start(bytes, { intraOpThreads: 1 }, 2);
 * const outputs = await session.run(feeds); // on one of two threads
 * await session.release(); // terminates them
 */
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { IoSignature, RuntimeInfo } from '../sdk/schemas';
import { forTransfer, STOP_REQUESTED, type InstanceData, type InstanceMessage, type RunRequest } from './instanceMessages';
import { InstanceCrashedError, ModelLoadError, type ModelSession, type SessionOptions, type TimedOutputs } from './modelRuntime';
import type { TensorMap } from './tensor';

interface Job {
  feeds: TensorMap;
  outputNames: readonly string[] | undefined;
  /** Nobody else holds the feeds' arrays: they may move to the instance without a copy. */
  owned: boolean;
  resolve(result: TimedOutputs): void;
  reject(error: unknown): void;
}

interface Instance {
  worker: Worker;
  /** Shared with the thread: asks it to exit after its current run ({@link STOP_REQUESTED}). */
  control: Int32Array;
  job?: Job;
}

/** A restart that fails (out of memory, say) is tried again after this long. */
const RESTART_RETRY_MS = 1000;

export class InstancePool implements ModelSession {
  private readonly slots: (Instance | undefined)[];
  private readonly waiting: Job[] = [];
  private released = false;
  private nextId = 0;

  private constructor(
    private readonly data: InstanceData,
    readonly signature: IoSignature,
    readonly runtime: RuntimeInfo,
    started: Instance[],
  ) {
    this.slots = started;
    started.forEach((instance, index) => this.watch(instance, index));
  }

  /** Starts `instances` threads and waits until every one has loaded the model (or throws its {@link ModelLoadError}). */
  static async start(model: Uint8Array, options: SessionOptions, instances: number): Promise<InstancePool> {
    // One copy of the model in shared memory for every instance (and restarts), not one per thread.
    const shared = new Uint8Array(new SharedArrayBuffer(model.byteLength));
    shared.set(model);
    const data: InstanceData = { model: shared, options: { ...options, instances: 0 } };
    const started = await Promise.allSettled(Array.from({ length: Math.max(1, instances) }, () => spawn(data)));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    const ready = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    if (failed) {
      await Promise.all(ready.map((r) => stop(r.instance)));
      throw failed.reason;
    }
    const first = ready[0] as Spawned;
    return new InstancePool(
      data,
      first.signature,
      first.runtime,
      ready.map((r) => r.instance),
    );
  }

  /** Runs at once (threads). */
  get instances(): number {
    return this.slots.length;
  }

  /** Instances running a request now. */
  get busy(): number {
    return this.slots.filter((s) => s?.job !== undefined).length;
  }

  async run(feeds: TensorMap, outputNames?: readonly string[]): Promise<TensorMap> {
    return (await this.runTimed(feeds, outputNames)).outputs;
  }

  runTimed(feeds: TensorMap, outputNames?: readonly string[]): Promise<TimedOutputs> {
    return this.enqueue(feeds, outputNames, false);
  }

  /** Like `runTimed`, for feeds nobody else holds (a concatenated batch): their buffers move to the instance. */
  runOwned(feeds: TensorMap, outputNames?: readonly string[]): Promise<TimedOutputs> {
    return this.enqueue(feeds, outputNames, true);
  }

  /**
   * Stops instance `index`'s thread as a crash would: the request it runs fails and the instance
   * restarts. A running instance exits when its run ends (onnxruntime cannot be interrupted inside
   * `run()`), an idle one at once. For tests of crash handling; resolves once the thread is gone.
   */
  async crashInstance(index: number): Promise<void> {
    const instance = this.slots[index];
    if (!instance) return;
    await stop(instance);
  }

  /** Terminates the threads (each after its current run, which fails); queued requests fail at once. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const gone = new Error('the model session was released');
    for (const job of this.waiting.splice(0)) job.reject(gone);
    await Promise.all(
      this.slots.map(async (instance) => {
        if (!instance) return;
        instance.job?.reject(gone);
        await stop(instance);
      }),
    );
  }

  private enqueue(feeds: TensorMap, outputNames: readonly string[] | undefined, owned: boolean): Promise<TimedOutputs> {
    if (this.released) return Promise.reject(new Error('the model session was released'));
    return new Promise<TimedOutputs>((resolve, reject) => {
      this.waiting.push({ feeds, outputNames, owned, resolve, reject });
      this.pump();
    });
  }

  /** Hands waiting jobs to idle instances, in order. */
  private pump(): void {
    for (const instance of this.slots) {
      if (this.waiting.length === 0) return;
      if (!instance || instance.job) continue;
      const job = this.waiting.shift() as Job;
      instance.job = job;
      const { tensors, transfer } = forTransfer(job.feeds, job.owned);
      const request: RunRequest = { id: this.nextId++, feeds: tensors, outputNames: job.outputNames };
      instance.worker.ref(); // a run in flight keeps the process alive, like any pending I/O
      instance.worker.postMessage(request, transfer);
    }
  }

  private watch(instance: Instance, index: number): void {
    let fault: Error | undefined;
    instance.worker.unref();
    instance.worker.on('message', (message: InstanceMessage) => {
      const job = instance.job;
      if (!job || (message.kind !== 'done' && message.kind !== 'failed')) return;
      instance.job = undefined;
      instance.worker.unref();
      if (message.kind === 'done') job.resolve({ outputs: message.outputs, runMs: message.runMs });
      else job.reject(new Error(message.message));
      this.pump();
    });
    instance.worker.on('error', (error) => (fault = error));
    instance.worker.on('exit', (code) => {
      if (this.released) return;
      const reason = fault ? `failed: ${fault.message}` : `exited with code ${code}`;
      instance.job?.reject(
        new InstanceCrashedError(`model instance ${index + 1} of ${this.slots.length} ${reason} while running this request; it is restarting`),
      );
      this.slots[index] = undefined;
      this.restart(index);
    });
  }

  private restart(index: number): void {
    spawn(this.data).then(
      ({ instance }) => {
        if (this.released) {
          void stop(instance);
          return;
        }
        this.slots[index] = instance;
        this.watch(instance, index);
        this.pump();
      },
      () => {
        if (this.released) return;
        // No instance left to run what waits: fail it rather than let it hang, and keep trying.
        if (this.slots.every((s) => s === undefined)) {
          for (const job of this.waiting.splice(0)) job.reject(new InstanceCrashedError('every model instance stopped and none could be restarted yet'));
        }
        setTimeout(() => this.restart(index), RESTART_RETRY_MS).unref();
      },
    );
  }
}

interface Spawned {
  instance: Instance;
  signature: IoSignature;
  runtime: RuntimeInfo;
}

/** Stops an instance's thread: at once when idle, else when its run ends. Resolves once it is gone. */
function stop(instance: Instance): Promise<void> {
  const exited = new Promise<void>((resolve) => instance.worker.once('exit', () => resolve()));
  if (instance.job) {
    Atomics.store(instance.control, 0, STOP_REQUESTED);
    instance.worker.ref();
  } else void instance.worker.terminate();
  return exited;
}

/** Starts one instance thread and waits for its session to load. */
function spawn(data: InstanceData): Promise<Spawned> {
  const control = new Int32Array(new SharedArrayBuffer(4));
  const worker = startWorker({ ...data, control });
  return new Promise<Spawned>((resolve, reject) => {
    const onMessage = (message: InstanceMessage): void => {
      if (message.kind !== 'ready' && message.kind !== 'loadFailed') return;
      worker.off('message', onMessage); // (its error and exit listeners stay: no-ops once settled, never an unhandled 'error')
      if (message.kind === 'ready') resolve({ instance: { worker, control }, signature: message.signature, runtime: message.runtime });
      else {
        void worker.terminate();
        reject(new ModelLoadError(message.message));
      }
    };
    const onError = (error: Error): void => reject(new ModelLoadError(`a model instance failed while loading: ${error.message}`));
    const onExit = (code: number): void => reject(new ModelLoadError(`a model instance exited with code ${code} while loading`));
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}

/**
 * The instance thread. From the built package (`dist/`) it is `instanceWorker.js`; from source (tsx,
 * jest) it is `instanceWorker.ts`, which the thread compiles with tsx's CommonJS hook.
 */
function startWorker(data: InstanceData): Worker {
  const file = join(__dirname, `instanceWorker${extname(__filename)}`);
  if (extname(__filename) !== '.ts') return new Worker(file, { workerData: data });
  const code = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(file)});`;
  return new Worker(code, { eval: true, workerData: data });
}
