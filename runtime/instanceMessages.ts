/**
 * The wire between an instance pool (the caller's thread) and its model instances (worker threads):
 * the messages each way, and how tensors cross. Numeric data moves in postMessage transfer lists,
 * each array alone in a buffer of its own size: a view into a larger or shared buffer (a slice of a
 * request body, Node's Buffer pool) is copied first, so the whole buffer is never sent and the
 * caller's arrays stay intact. BYTES (string arrays) are structured-cloned.
 */
import type { IoSignature, RuntimeInfo } from '../sdk/schemas';
import type { SessionOptions } from './modelRuntime';
import { NUMERIC_DATATYPES, type Tensor, type TensorData, type TensorMap } from './tensor';

/** What an instance starts from (its `workerData`): the model's bytes and the session options. */
export interface InstanceData {
  /** In a SharedArrayBuffer: every instance of a model reads the same bytes. */
  model: Uint8Array;
  options: SessionOptions;
  /**
   * Shared with the pool: element 0 set to {@link STOP_REQUESTED} asks the instance to exit after
   * its current run, without answering it. A thread cannot be terminated inside onnxruntime's
   * native `run()` (its teardown then aborts the whole process), so stopping waits for that point.
   */
  control?: Int32Array;
}

export const STOP_REQUESTED = 1;
/** The exit code of an instance that stopped on request. */
export const STOPPED_EXIT_CODE = 70;

/** Caller → instance: run these feeds. */
export interface RunRequest {
  id: number;
  feeds: TensorMap;
  outputNames?: readonly string[];
}

/** Instance → caller: loaded (or not), and each run's outputs with the model's own time (or its error). */
export type InstanceMessage =
  | { kind: 'ready'; signature: IoSignature; runtime: RuntimeInfo }
  | { kind: 'loadFailed'; message: string }
  | { kind: 'done'; id: number; outputs: TensorMap; runMs: number }
  | { kind: 'failed'; id: number; message: string };

/**
 * Tensors ready to post, and the buffers to transfer. With `owned` (nobody else holds the arrays:
 * a concatenated batch, a run's outputs) an array that fills its own buffer moves as it is; every
 * other numeric array is copied into a buffer of its own first.
 */
export function forTransfer(tensors: TensorMap, owned: boolean): { tensors: TensorMap; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const out: TensorMap = {};
  for (const [name, tensor] of Object.entries(tensors)) {
    if (Array.isArray(tensor.data)) {
      out[name] = tensor;
      continue;
    }
    const data = tensor.data;
    const movable = owned && data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
    const moved = movable && !transfer.includes(data.buffer) ? data : copyOf(tensor);
    transfer.push(moved.buffer as ArrayBuffer);
    out[name] = { datatype: tensor.datatype, shape: tensor.shape, data: moved };
  }
  return { tensors: out, transfer };
}

function copyOf(tensor: Tensor): Exclude<TensorData, string[]> {
  const source = tensor.data as Exclude<TensorData, string[]>;
  const { array } = NUMERIC_DATATYPES[tensor.datatype as Exclude<Tensor['datatype'], 'BYTES'>];
  const copy = new array(source.length);
  (copy as { set(src: ArrayLike<number | bigint>): void }).set(source);
  return copy;
}
