/**
 * `npm run bench:optimize`: what each optimization pass buys, per model family (the transformer block
 * and CNN of ./makeBenchModels.py, the MLP of examples/models/mlp_bench.onnx), measured in one run with
 * the pipeline's own activities (convert → each pass → validate → benchmark, on CPU, every candidate
 * of a family measured interleaved with the others). Every pass gives a row: its candidate, or why it
 * was skipped or failed (./optimizeTable.ts), then the goals are checked.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { standaloneContext } from '../activities/activityContext';
import { sourcePolicyFromEnv } from '../activities/ingest/sourcePolicy';
import { benchmarkCandidates } from '../activities/benchmark/benchmarkCandidates';
import { convertModel } from '../activities/convert/convertModel';
import { ingestModel } from '../activities/ingest/ingestModel';
import { optimizeModel, type OptimizeInput } from '../activities/optimize/optimizeModel';
import { OnnxRuntime } from '../runtime';
import { FsArtifactStore } from '../store';
import { validateCandidate } from '../activities/validate/validateCandidate';
import { venvPython } from '../activities/python/venv';
import { isSkippedPass, type ConversionReport, type Int8Settings, type OptimizationPass, type SourceFormat, type TensorSpec } from '../sdk/schemas';
import { formatTables, goalsCheck, type FamilyTable, type PassRow } from './optimizeTable';

interface Family {
  name: string;
  file: string;
  format: SourceFormat;
  task: 'classifier' | 'other';
  inputs: TensorSpec[];
}

const FAMILIES: Family[] = [
  {
    name: 'transformer block (d128, 4 heads, seq 32)',
    file: 'transformer_block.pt2',
    format: 'pytorch',
    task: 'other',
    inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 32, 128] }],
  },
  {
    name: 'small CNN (3x32x32, 3 conv blocks)',
    file: 'cnn.pt2',
    format: 'pytorch',
    task: 'classifier',
    inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3, 32, 32] }],
  },
  {
    name: 'MLP (256-1024-1024-10, as scikit-learn exports one)',
    file: 'mlp_bench.onnx',
    format: 'onnx',
    task: 'classifier',
    inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 256] }],
  },
];

const int8 = (method: 'static' | 'dynamic'): Int8Settings => ({ method, perChannel: true, calibration: { method: 'minmax', samples: 64 } });

/** The rows per family: each pass (int8 both ways). */
const PASSES: { label: string; pass: OptimizationPass; int8?: Int8Settings }[] = [
  { label: 'graph', pass: 'graph' },
  { label: 'int8 dynamic', pass: 'int8', int8: int8('dynamic') },
  { label: 'int8 static', pass: 'int8', int8: int8('static') },
  { label: 'fp16', pass: 'fp16' },
  { label: 'transformer', pass: 'transformer' },
  { label: 'transformer-int8', pass: 'transformer-int8' },
];

type Deps = Parameters<typeof ingestModel>[0] & Parameters<typeof optimizeModel>[0];

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modelship-bench-opt-'));
  execFileSync(venvPython(), [path.join(__dirname, 'makeBenchModels.py'), dir], { stdio: 'ignore' });
  await copyFile(path.join(__dirname, '..', 'examples', 'models', 'mlp_bench.onnx'), path.join(dir, 'mlp_bench.onnx'));
  const store = new FsArtifactStore(path.join(dir, 'store'));
  const runtime = new OnnxRuntime();
  const deps: Deps = { store, runtime, context: standaloneContext(), sources: { ...sourcePolicyFromEnv(process.env), roots: [dir] } };
  const tables: FamilyTable[] = [];
  try {
    for (const family of FAMILIES) tables.push({ name: family.name, rows: await familyRows(deps, dir, family) });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`\nonnxruntime ${runtime.version}, ${os.availableParallelism()} cores; ratios against the fp32 conversion measured in the same run`);
  console.log(formatTables(tables));
  console.log(['', 'goals', ...goalsCheck(tables[1], tables[0])].join('\n'));
}

/** Converts one family, runs every pass, validates what was made and measures it interleaved with fp32. */
async function familyRows(deps: Deps, dir: string, family: Family): Promise<PassRow[]> {
  const source = await ingestModel(deps, { source: pathToFileURL(path.join(dir, family.file)).href });
  const conversion = await convertModel(deps, {
    sourceKey: source.key,
    sourceUri: family.file,
    format: family.format,
    inputs: family.inputs,
    opset: 18,
    golden: { samples: 64, seed: 0 },
    timeoutMs: 600_000,
  });
  const rows: PassRow[] = [{ label: 'fp32', artifact: conversion.artifact }];
  for (const p of PASSES) {
    const input: OptimizeInput = { artifact: conversion.artifact, pass: p.pass, timeoutMs: 600_000, targets: ['cpu'], ...(p.int8 ? { int8: p.int8 } : {}) };
    try {
      const made = await optimizeModel(deps, input);
      rows.push(isSkippedPass(made) ? { label: p.label, skipped: made.skipped } : { label: p.label, artifact: made });
    } catch (error) {
      rows.push({ label: p.label, error: (error as Error).message });
    }
  }
  for (const row of rows.filter((r) => r.artifact)) row.validation = await validate(deps, family, conversion, row);
  // Only candidates that loaded safely (the crash probe passed) are loaded into this process;
  // unlike the pipeline, the bench also measures those that fail parity, to show what they cost.
  const measured = rows.filter((r) => r.artifact && r.validation?.runtime.executionProvider === 'cpu');
  const bench = await benchmarkCandidates(deps, {
    target: 'cpu',
    candidates: measured.map((r) => ({ label: r.label, digest: r.artifact?.digest as string })),
    batchSizes: [1, 16],
    warmupRuns: 20,
    windowRuns: 30,
    stabilityTolerance: 0.1,
    budgetMs: Number(process.env.BENCH_OPTIMIZE_BUDGET_MS ?? 4000),
  });
  for (const row of measured) row.benchmark = bench.candidates.find((b) => b.label === row.label);
  return rows;
}

async function validate(deps: Deps, family: Family, conversion: ConversionReport, row: PassRow): Promise<PassRow['validation']> {
  return validateCandidate(deps, {
    artifact: row.artifact as NonNullable<PassRow['artifact']>,
    pass: row.label === 'fp32' ? 'convert' : (PASSES.find((p) => p.label === row.label)?.pass ?? row.label),
    target: 'cpu',
    smokeTest: true,
    task: family.task,
    tolerances: {},
    int8MinAgreement: 0.99,
    referenceDigest: conversion.referenceDigest,
    goldenDigest: conversion.goldenDigest,
    endpoint: 'bench',
    allowBreakingChanges: true,
    timeoutMs: 600_000,
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
