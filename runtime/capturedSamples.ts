/**
 * Captured requests as one sample set (one tensor per input, first axis = samples), the form
 * `.npz` exports and `modelship traffic` read. Requests of one shape only make one set: the most
 * common shape (by rows) is taken and the others are counted as left out. Pure.
 */
import type { CapturedRequest } from './capturedTraffic';
import type { TensorMap } from './tensor';
import { concatRuns } from './tensorRuns';

export interface CapturedSampleSet {
  /** One tensor per input name. */
  readonly samples: TensorMap;
  /** `rows`: the requests' batches concatenated along the first axis; `requests`: one entry per request, stacked along a new first axis. */
  readonly layout: 'rows' | 'requests';
  /** Samples in the set (rows, or requests when stacked). */
  readonly count: number;
  /** Requests taken, and the versions they came from. */
  readonly requests: number;
  readonly versions: string[];
  /** Requests of other shapes, left out: their shape signature and how many. */
  readonly leftOut: { shapes: string; requests: number }[];
}

/**
 * `name:DATATYPE[d0,d1]` per input, sorted, with `*` for the batch when the request has one (so
 * batches of any size go together): requests with equal signatures make one sample set.
 */
export function shapeSignature(inputs: TensorMap): string {
  const batched = hasBatchAxis(inputs);
  return Object.keys(inputs)
    .sort()
    .map((name) => {
      const shape = inputs[name]?.shape ?? [];
      return `${name}:${inputs[name]?.datatype}[${(batched ? ['*', ...shape.slice(1)] : shape).join(',')}]`;
    })
    .join(' ');
}

/**
 * The requests (newest first, as `readCaptured` returns them) of the most common shape, in the order
 * they were served: concatenated along the first axis when every input's first axis is the same
 * batch size, else stacked along a new first axis (a scalar, or a state whose first axis is not the
 * batch). `sampleRows` reads either back as one request per sample. Undefined when there are no requests.
 */
export function capturedSampleSet(requests: readonly CapturedRequest[]): CapturedSampleSet | undefined {
  const { taken, others } = byShape(requests);
  if (!taken) return undefined;
  const group = [...taken[1]].reverse();
  const batched = group.every((r) => hasBatchAxis(r.inputs));
  const runs = batched ? group.map((r) => r.inputs) : group.map((r) => withLeadingAxis(r.inputs));
  return {
    samples: concatRuns(runs),
    layout: batched ? 'rows' : 'requests',
    count: batched ? rowsOf(group) : group.length,
    requests: group.length,
    versions: [...new Set(taken[1].map((r) => r.version))],
    leftOut: others.map(([shapes, g]) => ({ shapes, requests: g.length })),
  };
}

/** The requests of the most common shape (by rows), newest first as given; the requests of other shapes are left out. */
export function mostCommonShape(requests: readonly CapturedRequest[]): CapturedRequest[] {
  return byShape(requests).taken?.[1] ?? [];
}

/** Requests grouped by {@link shapeSignature}, the group with most rows first. */
function byShape(requests: readonly CapturedRequest[]): { taken?: [string, CapturedRequest[]]; others: [string, CapturedRequest[]][] } {
  const groups = new Map<string, CapturedRequest[]>();
  for (const request of requests) {
    const signature = shapeSignature(request.inputs);
    const group = groups.get(signature);
    if (group) group.push(request);
    else groups.set(signature, [request]);
  }
  const [taken, ...others] = [...groups.entries()].sort((a, b) => rowsOf(b[1]) - rowsOf(a[1]));
  return { ...(taken ? { taken } : {}), others };
}

function rowsOf(group: readonly CapturedRequest[]): number {
  return group.reduce((n, r) => n + r.rows, 0);
}

/** Every input has a first axis, and all agree on its length (the batch). */
function hasBatchAxis(inputs: TensorMap): boolean {
  const firsts = Object.values(inputs).map((t) => (t.shape.length > 0 ? t.shape[0] : undefined));
  return firsts.length > 0 && firsts.every((d) => d !== undefined && d === firsts[0]);
}

function withLeadingAxis(inputs: TensorMap): TensorMap {
  return Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, { ...t, shape: [1, ...t.shape] }]));
}
