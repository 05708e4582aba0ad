/**
 * The features drift is judged on, taken from captured requests: each column of a model input
 * (`features[2]` of a `[batch, n]` input; the input itself when it is `[batch]` or a scalar; the
 * whole tensor as one feature when its rank is above 2) and of each output (a score column, the
 * labels). Their finite values, and how many elements were NaN or ±Inf. Pure.
 */
import type { CapturedRequest } from '../../runtime/capturedTraffic';
import { isNonFiniteAt, widenHalf } from '../../runtime/nonFiniteValues';
import type { Tensor, TensorMap } from '../../runtime/tensor';

/** One feature's finite values in a window, and its non-finite count. */
export interface FeatureValues {
  readonly name: string;
  readonly kind: 'input' | 'output';
  readonly values: number[];
  nonFinite: number;
}

/** The features of a window of captured requests, with the counts non-finite rates come from. */
export interface WindowValues {
  readonly features: FeatureValues[];
  readonly rows: number;
  /** Numeric elements seen (inputs and outputs), and how many of them were NaN or ±Inf. */
  readonly elements: number;
  readonly nonFinite: number;
}

/** Columns beyond this many per tensor are left out (a wide input is summarized by its first columns). */
export const MAX_COLUMNS = 64;

/** The features of `requests` (of any order), inputs first, each in name order. */
export function windowValues(requests: readonly Pick<CapturedRequest, 'inputs' | 'outputs' | 'rows'>[]): WindowValues {
  const features = new Map<string, FeatureValues>();
  let elements = 0;
  let nonFinite = 0;
  const take = (kind: 'input' | 'output', tensors: TensorMap): void => {
    for (const name of Object.keys(tensors).sort()) {
      const tensor = tensors[name] as Tensor;
      if (tensor.datatype === 'BYTES') continue;
      const t = widenHalf(tensor);
      const columns = t.shape.length === 2 ? Math.min(t.shape[1] as number, MAX_COLUMNS) : 1;
      const stride = t.shape.length === 2 ? (t.shape[1] as number) : 1;
      for (let i = 0; i < t.data.length; i++) {
        const column = i % stride;
        if (column >= columns) continue;
        const featureName = t.shape.length === 2 ? `${name}[${column}]` : name;
        const key = `${kind}:${featureName}`;
        let feature = features.get(key);
        if (!feature) features.set(key, (feature = { name: featureName, kind, values: [], nonFinite: 0 }));
        elements++;
        if (isNonFiniteAt(t, i)) {
          feature.nonFinite++;
          nonFinite++;
        } else feature.values.push(Number(t.data[i]));
      }
    }
  };
  for (const request of requests) take('input', request.inputs);
  for (const request of requests) take('output', request.outputs);
  const rows = requests.reduce((n, r) => n + r.rows, 0);
  return { features: [...features.values()], rows, elements, nonFinite };
}
