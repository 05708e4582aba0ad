/**
 * Tensors drawn from an input plan (`inputProfile.ts`), deterministically: the same seed gives the
 * same tensors. Default values: floats N(0, 1), integers 0-9 (valid for most embedding and index
 * inputs), booleans 0/1, strings short words; a profile's constant or uniform range otherwise.
 */
import type { InputProfile, TensorSpec } from '../sdk/schemas';
import { planInputs, type PlanOptions, type TensorPlan } from './inputProfile';
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

/** The inputs of every run of the plan for this signature and profile, seeded. */
export function profileInputs(specs: readonly TensorSpec[], profile?: InputProfile, options: PlanOptions & { seed?: number } = {}): TensorMap[] {
  const random = seededRandom(options.seed ?? 42);
  return planInputs(specs, profile, options).runs.map((run) => sampleRun(run, random));
}

/** One set of inputs (the plan's first run): a request, a benchmark feed. */
export function profileFeeds(specs: readonly TensorSpec[], profile?: InputProfile, options: PlanOptions & { seed?: number } = {}): TensorMap {
  return profileInputs(specs, profile, { ...options, samples: 1 })[0] as TensorMap;
}

/** One run's tensors. */
export function sampleRun(run: readonly TensorPlan[], random: () => number): TensorMap {
  return Object.fromEntries(run.map((plan) => [plan.name, sampleTensor(plan, random)]));
}

function sampleTensor(plan: TensorPlan, random: () => number): Tensor {
  const shape = [...plan.shape];
  const n = elementCount(shape);
  if (plan.datatype === 'BYTES') return { datatype: 'BYTES', shape, data: Array.from({ length: n }, (_, i) => `token${i % 10}`) };
  const float = plan.datatype === 'FP32' || plan.datatype === 'FP64' || plan.datatype === 'FP16';
  const draw = drawer(plan, float, random);
  const data = new NUMERIC_DATATYPES[plan.datatype].array(n);
  for (let i = 0; i < n; i++) {
    const v = draw();
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[i] = BigInt(Math.trunc(v));
    else if (plan.datatype === 'FP16') data[i] = halfFromFloat(v);
    else data[i] = v;
  }
  return { datatype: plan.datatype, shape, data };
}

/** The value rule of one tensor: constant, uniform (integers: low ≤ v < high), or the datatype's default. */
function drawer(plan: TensorPlan, float: boolean, random: () => number): () => number {
  const { fill } = plan;
  if (fill.kind === 'constant') return () => fill.value;
  if (fill.kind === 'uniform') {
    const span = fill.high - fill.low;
    return float ? () => fill.low + random() * span : () => Math.floor(fill.low + random() * Math.max(1, Math.floor(span)));
  }
  if (plan.datatype === 'BOOL') return () => (random() < 0.5 ? 0 : 1);
  if (!float) return () => Math.floor(random() * 10);
  // Box-Muller: standard normal from two uniforms.
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
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
