/**
 * NaN and ±Inf in tensors: which elements of a float tensor (FP32, FP64, or FP16 as IEEE half bits)
 * are not finite. Integer, boolean and string tensors have none.
 */
import type { Tensor } from './tensor';

/** Exponent bits of an IEEE 754 half; all ones is Inf (mantissa 0) or NaN. */
const HALF_EXPONENT = 0x7c00;

/** Whether element `i` of `t` is NaN or ±Inf (always false for non-float datatypes). */
export function isNonFiniteAt(t: Tensor, i: number): boolean {
  if (t.datatype === 'FP32' || t.datatype === 'FP64') return !Number.isFinite(t.data[i] as number);
  if (t.datatype === 'FP16') return ((t.data[i] as number) & HALF_EXPONENT) === HALF_EXPONENT;
  return false;
}

/** How many elements of `t` are NaN or ±Inf, from `start` for `count` elements (default: all). */
export function countNonFinite(t: Tensor, start = 0, count = t.data.length - start): number {
  if (t.datatype !== 'FP32' && t.datatype !== 'FP64' && t.datatype !== 'FP16') return 0;
  let n = 0;
  for (let i = start; i < start + count; i++) if (isNonFiniteAt(t, i)) n++;
  return n;
}

/** The number an IEEE 754 half-precision bit pattern stands for (subnormals, ±Inf and NaN included). */
export function floatFromHalf(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits & HALF_EXPONENT) >> 10;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** An FP16 tensor (half bits) as the FP32 tensor of the same values; any other tensor as it is. */
export function widenHalf(t: Tensor): Tensor {
  if (t.datatype !== 'FP16') return t;
  return { datatype: 'FP32', shape: t.shape, data: Float32Array.from(t.data as ArrayLike<number>, floatFromHalf) };
}
