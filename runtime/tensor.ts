/**
 * Tensors as Modelship passes them around: a KServe datatype, a shape and a flat typed array.
 * Runtime-independent; the one table of datatype → typed array lives here.
 */
import type { Datatype } from '../sdk/schemas';

export type TensorData =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigUint64Array
  | BigInt64Array
  | Float32Array
  | Float64Array
  | string[];

export interface Tensor {
  readonly datatype: Datatype;
  readonly shape: readonly number[];
  /** Row-major elements. BOOL is a `Uint8Array` of 0/1; FP16 a `Uint16Array` of IEEE half bits. */
  readonly data: TensorData;
}

export type TensorMap = Record<string, Tensor>;

type NumericDatatype = Exclude<Datatype, 'BYTES'>;

type TypedArrayConstructor =
  | Uint8ArrayConstructor
  | Int8ArrayConstructor
  | Uint16ArrayConstructor
  | Int16ArrayConstructor
  | Uint32ArrayConstructor
  | Int32ArrayConstructor
  | BigUint64ArrayConstructor
  | BigInt64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

/** Typed array and element size of each numeric datatype. */
export const NUMERIC_DATATYPES: Readonly<Record<NumericDatatype, { array: TypedArrayConstructor; bytes: number }>> = Object.freeze({
  BOOL: { array: Uint8Array, bytes: 1 },
  UINT8: { array: Uint8Array, bytes: 1 },
  INT8: { array: Int8Array, bytes: 1 },
  UINT16: { array: Uint16Array, bytes: 2 },
  INT16: { array: Int16Array, bytes: 2 },
  FP16: { array: Uint16Array, bytes: 2 },
  UINT32: { array: Uint32Array, bytes: 4 },
  INT32: { array: Int32Array, bytes: 4 },
  FP32: { array: Float32Array, bytes: 4 },
  UINT64: { array: BigUint64Array, bytes: 8 },
  INT64: { array: BigInt64Array, bytes: 8 },
  FP64: { array: Float64Array, bytes: 8 },
});

export function isNumericDatatype(datatype: Datatype): datatype is NumericDatatype {
  return datatype !== 'BYTES';
}

/** Number of elements of a fully known shape. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}
