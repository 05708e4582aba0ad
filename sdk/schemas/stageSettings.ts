/**
 * The settings of each pipeline stage (ingest, convert, optimize, validate, benchmark): what
 * `spec.stages` holds, each with its defaults. Pure zod.
 */
import { z } from 'zod';
import { duration } from './common';
import { sourceLocation } from './sourceLocation';
import { behaviourGate } from './behaviour';

/**
 * The optimization passes: `graph` (onnxruntime's portable graph optimizations), `int8`, `fp16`, `transformer`
 * (onnxruntime's transformer optimizer: attention, layer norm and GELU fused; skipped, with the reason, on a model
 * without attention blocks) and `transformer-int8` (the fused graph quantized with dynamic int8).
 */
export const OPTIMIZATION_PASSES = ['graph', 'int8', 'fp16', 'transformer', 'transformer-int8'] as const;
export type OptimizationPass = (typeof OPTIMIZATION_PASSES)[number];

const stageTiming = (timeout: string) => ({
  /** Longest one attempt of the stage may run. */
  timeout: duration.prefault(timeout),
});

export const ingestStage = z.strictObject({ ...stageTiming('5m') });

export const convertStage = z.strictObject({
  /**
   * ONNX opset of the converted model. The PyTorch and scikit-learn exporters target it (17 when unset; PyTorch's dynamo exporter uses at
   * least 18). An ONNX source keeps its own opset, byte for byte, unless this is set and differs: then `onnx.version_converter` converts it.
   */
  opset: z.number().int().min(7).max(26).optional(),
  /** Inputs the source and every converted copy are compared on. */
  golden: z
    .strictObject({
      /** An `.npz` file with one array per input name (a path or URI, uploaded like `model.source`); otherwise inputs are sampled from the declared spec. */
      source: sourceLocation.optional(),
      /** How many inputs to sample when there is no `source`. */
      samples: z.number().int().min(1).max(100_000).default(64),
      /** Seed of the sampled inputs: the same seed gives the same inputs. */
      seed: z.number().int().min(0).default(0),
    })
    .prefault({}),
  ...stageTiming('10m'),
});

const passList = z.array(z.enum(OPTIMIZATION_PASSES));

export const CALIBRATION_METHODS = ['minmax', 'entropy', 'percentile'] as const;

/** How the `int8` pass quantizes. */
export const int8Settings = z.strictObject({
  /**
   * `static`: int8 weights and activations (QDQ), activation scales calibrated on representative inputs;
   * `dynamic`: int8 weights, activations quantized at each run (for MatMul-heavy models);
   * `auto`: static for models with convolutions, dynamic otherwise.
   */
  method: z.enum(['auto', 'static', 'dynamic']).default('auto'),
  /** Quantize weights per output channel (static int8). */
  perChannel: z.boolean().default(true),
  /** The inputs static int8 calibrates on. */
  calibration: z
    .strictObject({
      /** How activation ranges are chosen from the calibration inputs: min/max, entropy (KL) or a percentile. */
      method: z.enum(CALIBRATION_METHODS).default('minmax'),
      /** Rows of calibration input. */
      samples: z.number().int().min(1).max(4096).default(64),
      /** An `.npz` file with one array per input name (a path or URI, uploaded like `model.source`); otherwise the endpoint's captured traffic, then the input profile's samples and shapes. */
      source: sourceLocation.optional(),
    })
    .prefault({}),
});
export type Int8Settings = z.output<typeof int8Settings>;

export const optimizeStage = z.strictObject({
  /** Make optimized copies; when off, the fp32 conversion is the only candidate. */
  enabled: z.boolean().default(true),
  /**
   * Passes tried per target; each makes a candidate from the converted model, or says why it does not apply (skipped).
   * `transformer` and `transformer-int8` are not in the defaults: add them for transformer models.
   */
  passes: z
    .strictObject({
      /** Passes tried for the `cpu` target. */
      cpu: passList.default(['graph', 'int8']),
      /** Passes tried for the `gpu` target. */
      gpu: passList.default(['graph', 'fp16']),
    })
    .prefault({}),
  /** How the `int8` pass quantizes: static (calibrated) or dynamic. */
  int8: int8Settings.prefault({}),
  ...stageTiming('10m'),
});

const tolerance = z.strictObject({ atol: z.number().nonnegative(), rtol: z.number().nonnegative() });

export const validateStage = z.strictObject({
  /** Run one inference on inputs from the profile (or default sizes) and require finite outputs. */
  smokeTest: z.boolean().default(true),
  /** Per-output tolerance overrides for conversion and graph-optimization parity. */
  tolerances: z.record(z.string(), tolerance).default({}),
  /**
   * int8 copies (`int8`, `transformer-int8`) of classifiers must agree on top-1 with the fp32 model at least
   * this often (integer outputs: exactly). Other float outputs, without an evaluation set, must have an RMS
   * error at most 1% of the reference's.
   */
  int8MinAgreement: z.number().min(0).max(1).default(0.99),
  /** A labelled evaluation set: accuracy of each candidate, and the largest drop allowed versus fp32. */
  evaluation: z
    .strictObject({
      /** An `.npz` file with one array per input name plus the labels (a path or URI, uploaded like `model.source`). */
      source: sourceLocation,
      /** Name of the array of labels in the `.npz` file. */
      labels: z.string().default('labels'),
      /** Largest accuracy drop versus the fp32 model (absolute, 0.01 = one point) a candidate may show. */
      maxAccuracyDrop: z.number().min(0).max(1).default(0.01),
    })
    .optional(),
  /** Accept a change of input/output names, types or shapes versus the endpoint's stable version. */
  allowBreakingChanges: z.boolean().default(false),
  /** Before any traffic, the fp32 candidate and the stable version answer the same replay inputs; a change of behaviour is refused unless accepted. */
  behaviour: behaviourGate.prefault({}),
  ...stageTiming('10m'),
});

export const benchmarkStage = z.strictObject({
  /** Measure the candidates; when off, nothing proves an optimized copy faster, so the fp32 conversion serves. */
  enabled: z.boolean().default(true),
  /** Batch sizes measured; the pick is decided at the first. */
  batchSizes: z.array(z.number().int().min(1).max(4096)).min(1).default([1]),
  /** Discarded runs before measuring (at least 10). */
  warmupRuns: z.number().int().min(10).max(10_000).default(10),
  /** Runs per measurement window; windows repeat until the last three agree. */
  windowRuns: z.number().int().min(5).max(100_000).default(50),
  /** Last three windows must agree within this fraction (throughput and p99). */
  stabilityTolerance: z.number().min(0).max(1).default(0.1),
  /** Time budget per candidate and batch size; past it the result is marked unstable. */
  budget: duration.prefault('20s'),
  /**
   * An optimized copy replaces the fp32 model only if proven at least this many percent faster: by the upper bound of
   * its latency-ratio interval to fp32 from interleaved runs (at `regressionConfidence`); by p50 with both
   * measurements settled only when it has no such interval.
   */
  minSpeedupPercent: z.number().min(0).max(100).default(5),
  /**
   * The slowdown allowed against the endpoint's stable version, in percent of its median latency. The
   * stable version is measured in the same activity, its runs interleaved with the candidates'; the pick is
   * refused only when it is slower than this with `regressionConfidence` and by more than `minRegressionMs`.
   */
  maxRegressionPercent: z.number().min(0).max(1000).default(10),
  /**
   * Confidence level of the interval of the pick's median latency ratio to stable (Hodges-Lehmann, from
   * Mann-Whitney U): the pick is refused only when the whole interval lies above the allowed slowdown.
   */
  regressionConfidence: z.number().min(0.5).max(0.9999).default(0.99),
  /** The pick is refused only when its median latency also exceeds the stable version's by more than this many milliseconds. */
  minRegressionMs: z.number().min(0).default(0.05),
  ...stageTiming('15m'),
});
