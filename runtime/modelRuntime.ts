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
   * Let idle operator threads spin for work (lower latency for one busy session; with many
   * sessions in one process, spinning threads starve each other). Default true.
   */
  allowSpinning?: boolean;
  /**
   * Model instances: worker threads, each with its own session, so runs never block the caller's
   * event loop and up to this many run at once. Default 1. `0` runs on the calling thread (an
   * in-process baseline only: onnxruntime-node's `run()` is synchronous there and blocks it).
   */
  instances?: number;
}

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
