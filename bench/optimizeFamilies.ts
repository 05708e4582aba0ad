/**
 * The model families `npm run bench:optimize` measures (written by ./makeBenchModels.py, plus the MLP of
 * examples/models/mlp_bench.onnx): a transformer encoder and a trained ResNet-style CNN sized like
 * production's, judged by the goals, and tiny ones kept as extra rows (per-run overhead
 * dominates them, so int8 cannot pay there and the benchmark gate keeps fp32).
 */
import type { SourceFormat, TensorSpec } from '../sdk/schemas';

/** Held-out rows and calibration rows drawn from the model's own (training) distribution, as a user would pass them. */
export interface FamilyData {
  /** `.npz` of the inputs static int8 calibrates on (`stages.optimize.int8.calibration.source`). */
  calibration: string;
  /** `.npz` of held-out inputs with labels: the golden inputs of parity and top-1, and the evaluation set. */
  evaluation: string;
  labels: string;
}

/** How long each candidate is measured (interleaved; per model and batch size). */
export interface FamilyMeasurement {
  warmupRuns: number;
  windowRuns: number;
  budgetMs: number;
}

export interface Family {
  name: string;
  /** Which goal the family is judged by; `extra` families are shown only. */
  goal: 'cnn' | 'transformer' | 'extra';
  file: string;
  format: SourceFormat;
  task: 'classifier' | 'other';
  inputs: TensorSpec[];
  /** Golden inputs drawn from the inputs' defaults when the family has no data. */
  goldenSamples: number;
  data?: FamilyData;
  measure: FamilyMeasurement;
}

const budgetMs = Number(process.env.BENCH_OPTIMIZE_BUDGET_MS ?? 4000);
const FULL: FamilyMeasurement = { warmupRuns: 20, windowRuns: 30, budgetMs };
/** The big models: fewer runs per window (a batch-16 run takes tenths of a second on a loaded 2-core machine). */
const LARGE: FamilyMeasurement = { warmupRuns: 5, windowRuns: 10, budgetMs };
const TINY: FamilyMeasurement = { warmupRuns: 20, windowRuns: 30, budgetMs: budgetMs / 2 };

export const FAMILIES: Family[] = [
  {
    name: 'transformer encoder (2 layers, d256, 4 heads, seq 128)',
    goal: 'transformer',
    file: 'transformer_encoder.pt2',
    format: 'pytorch',
    task: 'other',
    inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 128, 256] }],
    goldenSamples: 16,
    measure: LARGE,
  },
  {
    name: 'ResNet-style CNN (3x96x96, 9 convs 32-64-128, BatchNorm, trained on a synthetic task)',
    goal: 'cnn',
    file: 'cnn_resnet.pt2',
    format: 'pytorch',
    task: 'classifier',
    inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3, 96, 96] }],
    goldenSamples: 0,
    data: { calibration: 'cnn_calibration.npz', evaluation: 'cnn_evaluation.npz', labels: 'labels' },
    measure: LARGE,
  },
  {
    name: 'MLP (256-1024-1024-10, as scikit-learn exports one)',
    goal: 'extra',
    file: 'mlp_bench.onnx',
    format: 'onnx',
    task: 'classifier',
    inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 256] }],
    goldenSamples: 64,
    measure: FULL,
  },
  {
    name: 'tiny transformer block (d128, 4 heads, seq 32; untrained)',
    goal: 'extra',
    file: 'transformer_block.pt2',
    format: 'pytorch',
    task: 'other',
    inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 32, 128] }],
    goldenSamples: 64,
    measure: TINY,
  },
  {
    name: 'tiny CNN (3x32x32, 3 conv blocks; untrained, N(0,1) inputs)',
    goal: 'extra',
    file: 'cnn.pt2',
    format: 'pytorch',
    task: 'classifier',
    inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3, 32, 32] }],
    goldenSamples: 64,
    measure: TINY,
  },
];
