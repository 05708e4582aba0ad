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
