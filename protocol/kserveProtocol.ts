/**
 * KServe Open Inference Protocol v2, REST/JSON: request parsing, checks against a model's
 * signature, and response encoding. No runtime here: tensors are {@link Tensor}s. The messages
 * themselves are in `messages.ts`.
 */
import { formatIssues, type Datatype, type TensorSpec } from '../sdk/schemas';
import { elementCount, NUMERIC_DATATYPES, type Tensor, type TensorMap } from '../runtime/tensor';
import { floatFromHalf } from '../runtime/nonFiniteValues';
import { halfFromFloat } from '../runtime/syntheticInputs';
import { decodeBinaryTensor } from './binaryTensorData';
import { HttpError } from './httpError';
import { inferRequest, type InferRequest, type InferResponseOutput } from './messages';

/** Parses an infer request body; a 400 that names each problem otherwise. */
export function parseInferRequest(body: unknown): InferRequest {
  const parsed = inferRequest.safeParse(body);
  if (!parsed.success) {
    throw new HttpError(
      400,
      `invalid inference request: ${formatIssues(parsed.error)
        .map((i) => `${i.path || '(root)'}: ${i.message}`)
        .join('; ')}`,
    );
  }
  return parsed.data;
}

/**
 * Checks the request's inputs against the model's and converts them to tensors:
 * every model input given once, no unknown ones, same datatype, same rank, fixed dimensions equal,
 * and `data` holding exactly `prod(shape)` elements of the right kind.
 */
export function decodeInputs(
  request: InferRequest,
  specs: readonly TensorSpec[] | ReadonlyMap<string, TensorSpec>,
  binary: ReadonlyMap<string, Uint8Array> = new Map(),
): TensorMap {
  // Gateways pass the map built once at load; other callers may pass the list.
  const byName = specs instanceof Map ? specs : new Map((specs as readonly TensorSpec[]).map((s) => [s.name, s]));
  const all = [...byName.values()];
  const feeds: TensorMap = {};
  for (const input of request.inputs) {
    const spec = byName.get(input.name);
    if (!spec) throw new HttpError(400, `unknown input "${input.name}"; the model takes ${describeSpecs(all)}`);
    if (feeds[input.name]) throw new HttpError(400, `input "${input.name}" is given more than once`);
    if (input.datatype !== spec.datatype) {
      throw new HttpError(400, `input "${input.name}" has datatype ${input.datatype}; the model expects ${spec.datatype}`);
    }
    checkShape(input.name, input.shape, spec.shape);
    const raw = binary.get(input.name);
    if (raw) feeds[input.name] = decodeBinaryTensor(input.name, spec.datatype, input.shape, raw);
    else if (input.data) feeds[input.name] = decodeTensor(input.name, spec.datatype, input.shape, input.data);
    else throw new HttpError(400, `input "${input.name}" has neither "data" nor binary data`);
  }
  const missing = all.filter((s) => !feeds[s.name]);
  if (missing.length > 0) throw new HttpError(400, `missing input(s): ${describeSpecs(missing)}`);
  return feeds;
}

/** Output names the caller asked for (all when none), checked against the model's outputs. */
export function requestedOutputs(request: InferRequest, specs: readonly TensorSpec[]): string[] | undefined {
  if (!request.outputs || request.outputs.length === 0) return undefined;
  const known = new Set(specs.map((s) => s.name));
  for (const output of request.outputs) {
    if (!known.has(output.name)) {
      throw new HttpError(400, `unknown output "${output.name}"; the model produces ${[...known].join(', ')}`);
    }
  }
  return request.outputs.map((o) => o.name);
}

function describeElement(v: unknown): string {
  return typeof v === 'bigint' ? String(v) : JSON.stringify(v);
}

function describeSpecs(specs: readonly TensorSpec[]): string {
  return specs.map((s) => `${s.name} (${s.datatype} [${s.shape.join(', ')}])`).join(', ');
}

function checkShape(name: string, shape: readonly number[], expected: readonly number[]): void {
  const mismatch = shape.length !== expected.length || expected.some((d, i) => d >= 0 && shape[i] !== d);
  if (mismatch) {
    throw new HttpError(
      400,
      `input "${name}" has shape [${shape.join(', ')}]; the model expects [${expected.map((d) => (d < 0 ? '-1' : d)).join(', ')}] (-1: any size)`,
    );
  }
}

const INTEGER_RANGES: Partial<Record<Datatype, [number, number]>> = {
  UINT8: [0, 0xff],
  INT8: [-0x80, 0x7f],
  UINT16: [0, 0xffff],
  INT16: [-0x8000, 0x7fff],
  UINT32: [0, 0xffffffff],
  INT32: [-0x80000000, 0x7fffffff],
};

/**
 * Largest finite magnitudes: a finite number past them would silently become Inf (FP16 rounds to
 * Inf from 65520). NaN and ±Inf given as such (gRPC contents can carry them) are kept.
 */
const FLOAT_LIMITS: Partial<Record<Datatype, { max: number; overflowsAt: number }>> = {
  FP32: { max: 3.4028234663852886e38, overflowsAt: Number.POSITIVE_INFINITY },
  FP16: { max: 65504, overflowsAt: 65520 },
};

/** Flattens `data` (flat, or nested exactly as `shape`) row-major and converts it to the datatype's typed array. */
export function decodeTensor(name: string, type: Datatype, shape: readonly number[], data: unknown[]): Tensor {
  const flat = flatten(name, data, shape);
  const expected = elementCount(shape);
  if (flat.length !== expected) {
    throw new HttpError(400, `input "${name}" has ${flat.length} element(s); shape [${shape.join(', ')}] needs ${expected}`);
  }
  const bad = (i: number, what: string): HttpError => new HttpError(400, `input "${name}" element ${i} is ${describeElement(flat[i])}; ${type} needs ${what}`);

  if (type === 'BYTES') {
    const out = flat.map((v, i) => {
      if (typeof v !== 'string') throw bad(i, 'a string');
      return v;
    });
    return { datatype: type, shape, data: out };
  }
  const { array } = NUMERIC_DATATYPES[type];
  const out = new array(expected);
  for (let i = 0; i < expected; i++) {
    const v = flat[i];
    if (type === 'BOOL') {
      if (v === true || v === 1) out[i] = 1;
      else if (v === false || v === 0) out[i] = 0;
      else throw bad(i, 'true or false');
    } else if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
      if (typeof v === 'bigint') out[i] = bigIntElement(v, type, () => bad(i, `an integer in [${INT64_RANGES[type]?.join(', ')}]`));
      else if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw bad(i, 'an integer');
      else if (type === 'UINT64' && v < 0) throw bad(i, 'a non-negative integer');
      else out[i] = BigInt(v);
    } else if (type === 'FP32' || type === 'FP64' || type === 'FP16') {
      const limits = FLOAT_LIMITS[type];
      if (typeof v !== 'number') throw bad(i, 'a number');
      if (limits && Number.isFinite(v) && (Math.abs(v) >= limits.overflowsAt || !Number.isFinite(Math.fround(v))))
        throw bad(i, `a number within ±${limits.max}`);
      out[i] = type === 'FP16' ? halfFromFloat(v) : v;
    } else {
      const range = INTEGER_RANGES[type];
      if (typeof v !== 'number' || !Number.isInteger(v) || (range && (v < range[0] || v > range[1]))) {
        throw bad(i, range ? `an integer in [${range[0]}, ${range[1]}]` : 'an integer');
      }
      out[i] = v;
    }
  }
  return { datatype: type, shape, data: out };
}

const INT64_RANGES: Partial<Record<Datatype, [bigint, bigint]>> = {
  INT64: [-(2n ** 63n), 2n ** 63n - 1n],
  UINT64: [0n, 2n ** 64n - 1n],
};

/** A 64-bit element given exactly (gRPC's int64/uint64 contents; JSON has only numbers). */
function bigIntElement(v: bigint, type: Datatype, bad: () => HttpError): bigint {
  const range = INT64_RANGES[type];
  if (!range || v < range[0] || v > range[1]) throw bad();
  return v;
}

/**
 * The elements of `data` row-major: flat as it is, or nested exactly as `shape` says (every level
 * as long as its dimension, values only at the last); a 400 for ragged or misnested data, which
 * would otherwise be silently realigned. Walked with an explicit stack: nesting depth is the caller's.
 */
function flatten(name: string, data: unknown[], shape: readonly number[]): unknown[] {
  if (!data.some(Array.isArray)) return data;
  const ragged = (where: string): HttpError =>
    new HttpError(400, `input "${name}" has ragged nested data (${where}); send "data" flat, row-major, or nested exactly as shape [${shape.join(', ')}]`);
  const out: unknown[] = [];
  const stack: { items: unknown[]; next: number; path: string }[] = [];
  const enter = (items: unknown[], path: string): void => {
    const depth = stack.length;
    if (depth >= shape.length) throw ragged(`data${path} nests deeper than the shape's ${shape.length} dimension(s)`);
    if (items.length !== shape[depth]) throw ragged(`data${path} has ${items.length} entries; dimension ${depth} is ${shape[depth]}`);
    stack.push({ items, next: 0, path });
  };
  enter(data, '');
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as { items: unknown[]; next: number; path: string };
    if (top.next >= top.items.length) {
      stack.pop();
      continue;
    }
    const path = `${top.path}[${top.next}]`;
    const v = top.items[top.next++];
    const last = stack.length === shape.length;
    if (Array.isArray(v)) enter(v, path);
    else if (!last) throw ragged(`data${path} is a value where dimension ${stack.length} needs ${shape[stack.length]} entries`);
    else out.push(v);
  }
  return out;
}

/** Encodes output tensors as v2 JSON (row-major flat `data`). */
export function encodeOutputs(outputs: TensorMap): InferResponseOutput[] {
  return Object.entries(outputs).map(([name, t]) => ({
    name,
    datatype: t.datatype,
    shape: [...t.shape],
    data: tensorToJson(t),
  }));
}

function tensorToJson(t: Tensor): (number | string | boolean)[] {
  const { data } = t;
  if (Array.isArray(data)) return data;
  if (t.datatype === 'BOOL') return Array.from(data as Uint8Array, (v) => v !== 0);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Array.from(data, (v) => Number(v));
  if (t.datatype === 'FP16') return Array.from(data as Uint16Array, floatFromHalf);
  return Array.from(data as ArrayLike<number>);
}
