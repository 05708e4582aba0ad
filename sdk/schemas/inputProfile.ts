/**
 * Input profiles: the inputs a model is exercised on by every gate (golden inputs, the first-load
 * probe, the smoke test, parity, benchmarks, `modelship traffic`), written like production sends
 * them. Pure zod.
 */
import { z } from 'zod';
import { sourceLocation } from './sourceLocation';

const shape = z.array(z.number().int().min(0)).max(16);

/** How one input is exercised: its concrete shapes and how its values are drawn. */
export const inputProfileEntry = z
  .strictObject({
    /** The typical concrete shape, batch axis included (`[]` for a scalar); defaults to the model's fixed dims and default sizes. */
    shape: shape.optional(),
    /** The smallest shape production sends (like a TensorRT optimization profile's min); samples cycle typical, min, max. */
    min: shape.optional(),
    /** The largest shape production sends (like a TensorRT optimization profile's max); samples cycle typical, min, max. */
    max: shape.optional(),
    /** Values drawn uniformly from `[low, high]` (integers: `low ≤ v < high`); default: floats N(0, 1), integers 0-9. */
    range: z.tuple([z.number(), z.number()]).optional(),
    /** A constant: every element equals this (a sample rate, a zeroed state). */
    value: z.number().optional(),
  })
  .superRefine((entry, ctx) => {
    if (entry.range && entry.value !== undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: 'give either `range` or `value`, not both' });
    if (entry.range && !(entry.range[0] < entry.range[1]))
      ctx.addIssue({ code: 'custom', path: ['range'], message: 'range must be [low, high] with low < high' });
    const ranks = [entry.shape, entry.min, entry.max].filter((s) => s !== undefined).map((s) => s.length);
    if (new Set(ranks).size > 1) ctx.addIssue({ code: 'custom', path: ['shape'], message: '`shape`, `min` and `max` must have the same rank' });
  });
export type InputProfileEntry = z.infer<typeof inputProfileEntry>;

/** The inputs production sends, per input name; every field optional. */
export const inputProfile = z.strictObject({
  /** Per input name: shapes and values; inputs not named here get default sizes and values. */
  inputs: z.record(z.string().min(1), inputProfileEntry).default({}),
  /**
   * An `.npz` file of real samples (one array per input name, first axis = samples): the golden
   * inputs parity is judged on, one run per sample. A path relative to the spec file, or a URI; uploaded like `model.source`.
   */
  samples: sourceLocation.optional(),
});
export type InputProfile = z.infer<typeof inputProfile>;
