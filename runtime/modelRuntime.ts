/**
 * The inference runtime port. Activities and the gateway load and run models through this
 * interface only; `onnxRuntime.ts` is its one implementation and the one importer of onnxruntime
 * (its sessions run in a pool of worker threads, `instancePool.ts`, off the caller's event loop).
 */
import type { IoSignature, RuntimeInfo } from '../sdk/schemas';
import type { TensorMap } from './tensor';
import { ModelshipError } from '../sdk/errors';

/** Execution providers by preference name. `cpu` is always present. */
export type ExecutionProvider = 'cpu' | 'cuda' | 'tensorrt';

export interface SessionOptions {
  /** Providers to try, in order. The session reports which one it got. */
  executionProviders?: readonly ExecutionProvider[];
  /** Threads for one operator (0 = runtime default). */
  intraOpThreads?: number;
  /**
   * How long (microseconds) an operator thread spins for more work after a parallel section before
   * it sleeps. Unset: onnxruntime's default, spinning long enough that with several sessions in one
   * process (a canary's two versions, a benchmark's candidates) the idle ones' threads take the cores
   * from the one running. `0`: never spin; every parallel section wakes a sleeping thread, which costs
   * more than small operators' work (an int8 convolution: 2 threads no faster than 1).
   * {@link SHARED_SESSION_SPIN_US}: spin between the sections of a run, not after it.
   */
  spinMicroseconds?: number;
  /**
   * Model instances: worker threads, each with its own session, so runs never block the caller's
   * event loop and up to this many run at once. Default 1. `0` runs on the calling thread (an
   * in-process baseline only: onnxruntime-node's `run()` is synchronous there and blocks it).
   */
  instances?: number;
}

/**
 * The spin of sessions that share a process with others (served versions, benchmarked candidates):
 * long enough to bridge the gaps between one run's parallel sections, short enough that a session's
 * threads sleep soon after its run, when the gateway's own thread needs the core for HTTP. Measured on
 * 2 cores. The benchmark's ResNet-style CNN, 7 sessions interleaved in instance threads, run time p50
 * at batch 1, fp32 / static int8: 0.93 / 0.57 ms without spinning, 0.76 / 0.42 ms at 20 µs, 0.77 / 0.41 ms
 * at 100 µs (spinning as onnxruntime does by default, with 4 sessions: 1.28 / 0.53 ms). The gateway serving the MLP of
 * `bench:gateway` (wrk, JSON, 8 connections): ~2,550 requests/s without spinning and at 20 µs, ~2,100
 * at 50 µs and 2,270 at 100 µs (at 1 connection, 20 µs is ~3% fewer).
 */
export const SHARED_SESSION_SPIN_US = 20;

/** A run's outputs and how long the model itself took (`session.run` alone, without any thread hop). */
export interface TimedOutputs {
  outputs: TensorMap;
  runMs: number;
}

export interface ModelSession {
  readonly signature: IoSignature;
  readonly runtime: RuntimeInfo;
  /** Runs the model; returns the requested outputs (all if omitted). */
  run(feeds: TensorMap, outputNames?: readonly string[]): Promise<TensorMap>;
  /** Like `run`, with the model's own time; a session without it is timed around `run` ({@link runTimed}). */
  runTimed?(feeds: TensorMap, outputNames?: readonly string[]): Promise<TimedOutputs>;
  /** Like `runTimed`, for feeds nobody else holds (a concatenated batch): a session may take their buffers without a copy. */
  runOwned?(feeds: TensorMap, outputNames?: readonly string[]): Promise<TimedOutputs>;
  /** Runs this session does at once (its instances); absent for a session that does not say. */
  readonly instances?: number;
  release(): Promise<void>;
}

/** Runs `session` and times the model: the session's own timing when it has one, else wall time around `run`. */
export async function runTimed(session: ModelSession, feeds: TensorMap, outputNames?: readonly string[]): Promise<TimedOutputs> {
  if (session.runTimed) return session.runTimed(feeds, outputNames);
  const start = performance.now();
  const outputs = await session.run(feeds, outputNames);
  return { outputs, runMs: performance.now() - start };
}

export interface ModelRuntime {
  readonly version: string;
  /** Parses and initializes a model; throws {@link ModelLoadError} if the model cannot load. */
  load(model: Uint8Array, options?: SessionOptions): Promise<ModelSession>;
}

/** The model cannot be loaded or run by this runtime: corrupt, unsupported operator, bad IO. */
export class ModelLoadError extends ModelshipError {
  override readonly name = 'ModelLoadError';
}

/** A model instance (its worker thread) stopped while running a request; the instance is restarting. */
export class InstanceCrashedError extends Error {
  override readonly name = 'InstanceCrashedError';
}
