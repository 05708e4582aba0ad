/**
 * The behaviour gate (the replay gate before any traffic): its thresholds (in the pipeline spec,
 * `stages.validate.behaviour`) and the diff it measures between the candidate and the endpoint's
 * stable version on the same replay inputs (in the validation report). Pure zod.
 */
import { z } from 'zod';
import { sha256Digest } from './common';

/**
 * Before any traffic, the fp32 candidate and the endpoint's stable version run the same replay set
 * (the golden inputs, and the evaluation set when there is one); a candidate whose answers differ
 * beyond these thresholds is refused (`BehaviourChanged`) unless the change is accepted.
 */
export const behaviourGate = z.strictObject({
  /** Compare with the stable version before any traffic; off: the comparison is skipped, and recorded as skipped. */
  enabled: z.boolean().default(true),
  /**
   * Least share of replayed rows on which the candidate picks stable's top class (argmax of a
   * classifier's score output); for integer outputs (labels), the least share of equal values.
   * The default matches the canary's shadow agreement: a retrain moves some near-ties.
   */
  minTop1Agreement: z.number().min(0).max(1).default(0.95),
  /**
   * Largest mean |candidate − stable| of a float output, relative to stable's mean |value|
   * (0.03 = 3%): a classifier's score vectors, a regressor's predictions, any other float output.
   */
  maxMeanDelta: z.number().min(0).default(0.03),
  /**
   * Probability outputs: largest mean |ln candidate − ln stable| over elements (probabilities floored
   * at 1e-6), which weighs every class alike: swapped classes that the replay inputs never make
   * likely change little in absolute terms, and much here.
   */
  maxMeanLogDelta: z.number().min(0).default(0.1),
  /**
   * An output whose every row sums to 1 within this on stable (values in [0, 1]) holds
   * probabilities: the candidate's rows must sum to 1 too (a removed softmax fails).
   */
  rowSumTolerance: z.number().min(0).max(1).default(0.001),
  /** Largest drop of accuracy on the evaluation set versus the stable version's on the same set (absolute, 0.01 = one point). */
  maxAccuracyDropVsStable: z.number().min(0).max(1).default(0.01),
  /**
   * An intentional change of behaviour, accepted: the reason (e.g. "retrained on May data, ticket
   * ML-123"). The diff is still measured and reported; the gate records it and passes.
   */
  acceptChange: z.string().min(1).max(500).optional(),
});
export type BehaviourGate = z.output<typeof behaviourGate>;

/** Smallest and largest finite value; `null` when there is none. */
export const valueRange = z.object({ min: z.number().nullable(), max: z.number().nullable() });
export type ValueRange = z.infer<typeof valueRange>;

/** One output of the candidate against the same output of stable, on one replay set. */
export const outputBehaviour = z.object({
  name: z.string(),
  /** Same datatype and shape on both; when false, `note` says why nothing more was measured. */
  comparable: z.boolean(),
  note: z.string().optional(),
  stable: z.object({ range: valueRange, nonFinite: z.number().int().nonnegative() }),
  candidate: z.object({ range: valueRange, nonFinite: z.number().int().nonnegative() }),
  /** Float outputs: mean and largest |candidate − stable| over elements (`null`: infinite or NaN). */
  meanAbsDelta: z.number().nullable().optional(),
  maxAbsDelta: z.number().nullable().optional(),
  /** Float outputs: `meanAbsDelta` relative to stable's mean |value| (what `maxMeanDelta` bounds). */
  meanDelta: z.number().nullable().optional(),
  /** Probability outputs (stable's rows sum to 1): mean |ln candidate − ln stable| over elements (what `maxMeanLogDelta` bounds). */
  meanLogDelta: z.number().nullable().optional(),
  /** Float outputs: the distribution of |candidate − stable| / |stable| over elements (near-zero values floored). */
  relativeError: z.object({ p50: z.number().nullable(), p99: z.number().nullable(), max: z.number().nullable() }).optional(),
  /** A classifier's score output: share of rows with the same top class. */
  top1Agreement: z.number().min(0).max(1).optional(),
  /** Integer outputs: share of equal values. */
  agreement: z.number().min(0).max(1).optional(),
  /** Rank-2 float outputs: the range of row sums on both; `probabilities` when stable's rows sum to 1. */
  rowSums: z.object({ probabilities: z.boolean(), stable: valueRange, candidate: valueRange }).optional(),
  /** What differs beyond the thresholds, one phrase each (empty: within them). */
  changes: z.array(z.string()),
});
export type OutputBehaviour = z.infer<typeof outputBehaviour>;

/** The outputs of one replay set, compared. */
export const replaySetBehaviour = z.object({
  /** `golden`: this deployment's golden inputs; `evaluation`: the labelled evaluation set. */
  name: z.enum(['captured', 'golden', 'evaluation']),
  samples: z.number().int().nonnegative(),
  outputs: z.array(outputBehaviour),
});
export type ReplaySetBehaviour = z.infer<typeof replaySetBehaviour>;

/** The candidate against the endpoint's stable version on the same replay inputs, and the gate's verdict. */
export const behaviourDiff = z.object({
  /** `skipped`: nothing to compare with (first deployment, the stable artifact itself, gate off); `note` says which. */
  status: z.enum(['compared', 'skipped']),
  note: z.string().optional(),
  /** The stable version; `comparedDigest` is the model run (the fp32 model an optimized stable copy was made from). */
  stable: z.object({ version: z.string(), digest: sha256Digest, comparedDigest: sha256Digest }).optional(),
  sets: z.array(replaySetBehaviour),
  /** Accuracy on the evaluation set of both, and the candidate's drop versus stable. */
  accuracy: z.object({ stable: z.number(), candidate: z.number(), drop: z.number(), samples: z.number().int() }).optional(),
  /** Everything that differs beyond the thresholds, one line each. */
  changes: z.array(z.string()),
  /** The reason the change was accepted (`behaviour.acceptChange`), when there were changes. */
  acceptedChange: z.string().optional(),
  /** No changes, or changes accepted. */
  passed: z.boolean(),
});
export type BehaviourDiff = z.infer<typeof behaviourDiff>;
