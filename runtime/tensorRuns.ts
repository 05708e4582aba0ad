/**
 * Several runs' tensors as one set: golden inputs fed one run at a time (a fixed batch of 1, shapes
 * that vary across samples) give one set of outputs per run, judged together; and a sample set
 * (first axis = samples) as one request per sample. Pure.
 */
import type { TensorSpec } from '../sdk/schemas';
import { elementCount, NUMERIC_DATATYPES, type Tensor, type TensorMap } from './tensor';

/**
 * Per name, the runs' tensors concatenated: along the first axis when they agree on every other axis,
 * else flattened to one axis. A name missing from any run is left out.
 */
export function concatRuns(runs: readonly TensorMap[]): TensorMap {
  const first = runs[0];
  if (!first || runs.length === 1) return first ?? {};
  const out: TensorMap = {};
  for (const name of Object.keys(first)) {
    const tensors = runs.map((r) => r[name]);
    if (tensors.every((t): t is Tensor => t !== undefined)) out[name] = concatTensors(tensors);
  }
  return out;
}

function concatTensors(tensors: readonly Tensor[]): Tensor {
  const head = tensors[0] as Tensor;
  const trailing = (t: Tensor) => t.shape.slice(1).join('x');
  const stackable = head.shape.length > 0 && tensors.every((t) => t.shape.length === head.shape.length && trailing(t) === trailing(head));
  const total = tensors.reduce((n, t) => n + elementCount(t.shape), 0);
  const shape = stackable ? [tensors.reduce((n, t) => n + (t.shape[0] as number), 0), ...head.shape.slice(1)] : [total];
  if (head.datatype === 'BYTES') return { datatype: 'BYTES', shape, data: tensors.flatMap((t) => t.data as string[]) };
  const data = new NUMERIC_DATATYPES[head.datatype].array(total);
  let offset = 0;
  for (const t of tensors) {
    (data as Float64Array).set(t.data as Float64Array, offset);
    offset += t.data.length;
  }
  return { datatype: head.datatype, shape, data };
}

/**
 * A sample set (one tensor per input, first axis = samples) as one set of inputs per sample: sample
 * `i` is `t[i]` when the set adds a samples axis to the input's rank, else `t[i:i+1]` (a batch of one).
 */
export function sampleRows(samples: TensorMap, specs: readonly TensorSpec[]): TensorMap[] {
  const counts = specs.map((s) => samples[s.name]?.shape[0]);
  const missing = specs.filter((s) => !samples[s.name]).map((s) => s.name);
  if (missing.length > 0) throw new Error(`the samples lack ${missing.join(', ')} (have ${Object.keys(samples).join(', ')})`);
  const n = counts[0] ?? 0;
  if (counts.some((c) => c !== n) || n === 0) throw new Error(`every input needs the same number of samples on its first axis (have ${counts.join(', ')})`);
  return Array.from({ length: n }, (_, i) =>
    Object.fromEntries(
      specs.map((spec) => {
        const t = samples[spec.name] as Tensor;
        const rest = t.shape.slice(1);
        const shape = t.shape.length === spec.shape.length + 1 ? rest : [1, ...rest];
        const size = elementCount(rest);
        return [spec.name, { datatype: t.datatype, shape, data: t.data.slice(i * size, (i + 1) * size) } as Tensor];
      }),
    ),
  );
}
