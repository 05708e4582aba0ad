/** Deterministic inputs for a model signature: the same seed gives the same tensors. */
import type { TensorSpec } from '../sdk/schemas';
import { elementCount, NUMERIC_DATATYPES, type Tensor, type TensorMap } from './tensor';

/** mulberry32: a tiny, fast, seedable PRNG; good enough for test inputs, not for secrets. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Concrete shape for a spec: the first dynamic dimension is the batch, the others 1. */
export function concreteShape(spec: TensorSpec, batchSize: number): number[] {
  return spec.shape.map((d, i) => (d >= 0 ? d : i === 0 ? batchSize : 1));
}

/**
 * Inputs for every spec: floats uniform in [-1, 1), integers in [0, 10) (valid for most
 * embedding/index inputs), booleans 0/1, strings short words.
 */
export function syntheticInputs(specs: readonly TensorSpec[], batchSize = 1, seed = 42): TensorMap {
  const random = seededRandom(seed);
  const feeds: TensorMap = {};
  for (const spec of specs) {
    const shape = concreteShape(spec, batchSize);
    feeds[spec.name] = syntheticTensor(spec, shape, random);
  }
  return feeds;
}

function syntheticTensor(spec: TensorSpec, shape: number[], random: () => number): Tensor {
  const n = elementCount(shape);
  if (spec.datatype === 'BYTES') {
    return { datatype: 'BYTES', shape, data: Array.from({ length: n }, (_, i) => `token${i % 10}`) };
  }
  const { array } = NUMERIC_DATATYPES[spec.datatype];
  const data = new array(n);
  for (let i = 0; i < n; i++) {
    const r = random();
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[i] = BigInt(Math.floor(r * 10));
    else if (spec.datatype === 'FP32' || spec.datatype === 'FP64') data[i] = r * 2 - 1;
    else if (spec.datatype === 'FP16') data[i] = halfFromFloat(r * 2 - 1);
    else if (spec.datatype === 'BOOL') data[i] = r < 0.5 ? 0 : 1;
    else data[i] = Math.floor(r * 10);
  }
  return { datatype: spec.datatype, shape, data };
}

/** IEEE 754 half-precision bits of `value` (round toward zero; adequate for synthetic data). */
export function halfFromFloat(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0] ?? 0;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = (bits >>> 13) & 0x3ff;
  if (exponent <= 0) return sign;
  if (exponent >= 31) return sign | 0x7c00;
  return sign | (exponent << 10) | mantissa;
}
