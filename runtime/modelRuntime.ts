/**
 * The inference runtime port. Activities and the gateway load and run models through this
 * interface only; `onnxRuntime.ts` is its one implementation and the one importer of onnxruntime.
 */
import type { IoSignature, RuntimeInfo } from '../sdk/schemas';
import type { TensorMap } from './tensor';

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
}

export interface ModelSession {
  readonly signature: IoSignature;
  readonly runtime: RuntimeInfo;
  /** Runs the model; returns the requested outputs (all if omitted). */
  run(feeds: TensorMap, outputNames?: readonly string[]): Promise<TensorMap>;
  release(): Promise<void>;
}

export interface ModelRuntime {
  readonly version: string;
  /** Parses and initializes a model; throws {@link ModelLoadError} if the model cannot load. */
  load(model: Uint8Array, options?: SessionOptions): Promise<ModelSession>;
}

/** The model cannot be loaded or run by this runtime: corrupt, unsupported operator, bad IO. */
export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
}
