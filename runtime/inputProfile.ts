/**
 * The one source of the inputs every gate runs a model on: golden inputs, the first-load probe, the
 * smoke test, parity, benchmarks, the serving probe and `modelship traffic`. Given the model's
 * signature and an optional input profile, it resolves concrete shapes and value rules per run
 * (`planInputs`) and says what it used; `syntheticInputs.ts` draws the tensors.
 *
 * Without a profile: fixed dims as the model has them, a dynamic first axis is the batch asked, and
 * any other dynamic axis `DEFAULT_DYNAMIC_SIZE` (never 1: a sequence or spatial axis of length 1 is
 * an input production rarely sends, and some models refuse it). Pure.
 */
import type { InputProfile, InputProfileEntry, TensorSpec } from '../sdk/schemas';

/** Size of a dynamic axis other than the batch when the profile does not give one. */
export const DEFAULT_DYNAMIC_SIZE = 16;

/** How one tensor's values are drawn: a constant, uniform in a range, or the datatype's default. */
export type Fill = { kind: 'constant'; value: number } | { kind: 'uniform'; low: number; high: number } | { kind: 'default' };

/** One input of one run: what the model is fed. */
export interface TensorPlan {
  readonly name: string;
  readonly datatype: TensorSpec['datatype'];
  readonly shape: readonly number[];
  readonly fill: Fill;
}

/** The runs to feed (each a full set of inputs), and a short description of what was used. */
export interface InputPlan {
  readonly runs: readonly (readonly TensorPlan[])[];
  /** Samples stacked along one batch axis in a single run (rather than one run per sample). */
  readonly stacked: boolean;
  readonly description: string;
}

export interface PlanOptions {
  /** Samples wanted (default 1): one stacked run when every input batches, else one run per sample. */
  samples?: number;
  /** The batch size of each run: a dynamic first axis takes it (default: the profile's shape, or 1). */
  batchSize?: number;
}

/**
 * What is wrong with a profile for this signature, each naming the input: an unknown input, a shape
 * whose rank or fixed dims disagree with the model.
 */
export function profileProblems(specs: readonly TensorSpec[], profile: InputProfile | undefined): string[] {
  if (!profile) return [];
  const problems: string[] = [];
  for (const name of Object.keys(profile.inputs)) {
    if (!specs.some((s) => s.name === name))
      problems.push(`the profile names input '${name}', which the model does not have (inputs: ${specs.map((s) => s.name).join(', ')})`);
  }
  for (const spec of specs) {
    const entry = profile.inputs[spec.name];
    for (const [field, shape] of Object.entries({ shape: entry?.shape, min: entry?.min, max: entry?.max })) {
      if (!shape) continue;
      const model = `the model's ${spec.name} is [${spec.shape.join(', ')}]`;
      if (shape.length !== spec.shape.length)
        problems.push(`profile ${field} of input '${spec.name}' is [${shape.join(', ')}], rank ${shape.length}; ${model}, rank ${spec.shape.length}`);
      else if (shape.some((d, i) => (spec.shape[i] as number) >= 0 && d !== spec.shape[i]))
        problems.push(`profile ${field} of input '${spec.name}' is [${shape.join(', ')}]; ${model} (fixed dims differ)`);
    }
  }
  return problems;
}

/** The runs for a signature and an optional profile (assumed checked with `profileProblems`). */
export function planInputs(specs: readonly TensorSpec[], profile?: InputProfile, options: PlanOptions = {}): InputPlan {
  const samples = options.samples ?? 1;
  const stacked =
    specs.every((s) => !profileShapes(profile?.inputs[s.name]).length && (s.shape.length === 0 || s.shape[0] === -1)) && specs.some((s) => s.shape.length > 0);
  const cycles = specs.map((spec) => shapeCycle(spec, profile?.inputs[spec.name], stacked ? samples * (options.batchSize ?? 1) : options.batchSize));
  const runCount = stacked ? 1 : samples;
  const runs = Array.from({ length: runCount }, (_, run) =>
    specs.map((spec, i): TensorPlan => {
      const cycle = cycles[i] as number[][];
      return { name: spec.name, datatype: spec.datatype, shape: cycle[run % cycle.length] as number[], fill: fillOf(profile?.inputs[spec.name]) };
    }),
  );
  return {
    runs,
    stacked,
    description: describe(specs, profile, cycles, stacked ? `${samples * (options.batchSize ?? 1)} rows in one batch` : `${runCount} run(s)`),
  };
}

/** How many shapes the profile cycles through (typical, min, max): enough samples to run each once. */
export function shapeCycleLength(profile: InputProfile | undefined): number {
  return Math.max(1, ...Object.values(profile?.inputs ?? {}).map((entry) => profileShapes(entry).length));
}

function profileShapes(entry: InputProfileEntry | undefined): number[][] {
  return [entry?.shape, entry?.min, entry?.max].filter((s): s is number[] => s !== undefined);
}

/** The shapes an input cycles through: the profile's typical, min and max, or the default shape. */
function shapeCycle(spec: TensorSpec, entry: InputProfileEntry | undefined, batchSize: number | undefined): number[][] {
  const given = profileShapes(entry);
  const typical = entry?.shape ?? defaultShape(spec, batchSize ?? 1);
  const shapes = entry?.shape ? given : [typical, ...given];
  // A dynamic batch axis takes the batch asked (benchmarks measure several); otherwise the profile's size stands.
  return shapes.map((s) => (batchSize !== undefined && spec.shape[0] === -1 && s.length > 0 ? [batchSize, ...s.slice(1)] : [...s]));
}

/** Fixed dims as they are; a dynamic first axis is the batch; any other dynamic axis the default size. */
export function defaultShape(spec: TensorSpec, batchSize: number): number[] {
  return spec.shape.map((d, i) => (d >= 0 ? d : i === 0 ? batchSize : DEFAULT_DYNAMIC_SIZE));
}

function fillOf(entry: InputProfileEntry | undefined): Fill {
  if (entry?.value !== undefined) return { kind: 'constant', value: entry.value };
  if (entry?.range) return { kind: 'uniform', low: entry.range[0], high: entry.range[1] };
  return { kind: 'default' };
}

/** E.g. `audio [1,512]|[1,64]|[1,1536] from profile, uniform [-1, 1]; state [2,1,16] = 0; sr scalar = 16000 (8 run(s))`. */
function describe(specs: readonly TensorSpec[], profile: InputProfile | undefined, cycles: number[][][], runs: string): string {
  const parts = specs.map((spec, i) => {
    const entry = profile?.inputs[spec.name];
    const shapes = (cycles[i] as number[][]).map((s) => (s.length === 0 ? 'scalar' : `[${s.join(',')}]`)).join('|');
    const origin = profileShapes(entry).length ? ' from profile' : spec.shape.slice(1).includes(-1) ? ` (dynamic axes ${DEFAULT_DYNAMIC_SIZE})` : '';
    const fill = fillOf(entry);
    const values = fill.kind === 'constant' ? ` = ${fill.value}` : fill.kind === 'uniform' ? `, uniform [${fill.low}, ${fill.high}]` : '';
    return `${spec.name} ${shapes}${origin}${values}`;
  });
  return `${parts.join('; ')} (${runs})`;
}
