/**
 * `npm run bench:optimize`: what each optimization pass buys, per model family (./optimizeFamilies.ts:
 * a transformer encoder and a trained CNN sized like production's, the MLP, and tiny ones), measured in
 * one run with the pipeline's own activities (convert → each pass → validate → benchmark, on CPU, every
 * candidate of a family measured interleaved with the others), fed as a user would feed them: the
 * CNN's calibration rows through `int8.calibration.source`, its held-out rows as golden inputs and
 * evaluation set. Every pass gives a row: its candidate, or why it was skipped or failed
 * (./optimizeTable.ts), then what the pipeline would serve, then the goals are checked.
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
import { isSkippedPass, type ConversionReport, type Int8Settings, type OptimizationPass } from '../sdk/schemas';
import { FAMILIES, type Family } from './optimizeFamilies';
import { formatTables, goalsCheck, type FamilyTable, type PassRow } from './optimizeTable';

/** int8 settings as a spec gives them: the family's calibration rows when it has some (else the inputs' defaults). */
const int8 = (method: 'static' | 'dynamic'): ((dir: string, family: Family) => Int8Settings) => {
  return (dir, family) => {
    const source = family.data ? { source: pathToFileURL(path.join(dir, family.data.calibration)).href } : {};
    return { method, perChannel: true, calibration: { method: 'minmax', samples: family.data ? 256 : 64, ...source } };
  };
};

/** The rows per family: each pass (int8 both ways). */
const PASSES: { label: string; pass: OptimizationPass; int8?: (dir: string, family: Family) => Int8Settings }[] = [
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
  const made = execFileSync(venvPython(), [path.join(__dirname, 'makeBenchModels.py'), dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
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
  console.log(made.trim());
  console.log(formatTables(tables));
  const judged = (goal: Family['goal']) => tables[FAMILIES.findIndex((f) => f.goal === goal)];
  console.log(['', 'goals (on the production-sized families)', ...goalsCheck(judged('cnn'), judged('transformer'))].join('\n'));
}

/** Converts one family, runs every pass, validates what was made and measures it interleaved with fp32. */
async function familyRows(deps: Deps, dir: string, family: Family): Promise<PassRow[]> {
  const source = await ingestModel(deps, { source: pathToFileURL(path.join(dir, family.file)).href });
  const heldOut = family.data ? pathToFileURL(path.join(dir, family.data.evaluation)).href : undefined;
  const conversion = await convertModel(deps, {
    sourceKey: source.key,
    sourceUri: family.file,
    format: family.format,
    inputs: family.inputs,
    opset: 18,
    golden: { samples: family.goldenSamples, seed: 0, ...(heldOut ? { source: heldOut } : {}) },
    ...(heldOut ? { evaluationSource: heldOut } : {}),
    timeoutMs: 600_000,
  });
  const rows: PassRow[] = [{ label: 'fp32', artifact: conversion.artifact }];
  for (const p of PASSES) {
    const settings = p.int8 ? { int8: p.int8(dir, family) } : {};
    const input: OptimizeInput = { artifact: conversion.artifact, pass: p.pass, timeoutMs: 600_000, targets: ['cpu'], ...settings };
    try {
      const made = await optimizeModel(deps, input);
      rows.push(isSkippedPass(made) ? { label: p.label, skipped: made.skipped } : { label: p.label, artifact: made });
    } catch (error) {
      rows.push({ label: p.label, error: (error as Error).message });
    }
  }
  for (const row of rows.filter((r) => r.artifact)) {
    row.validation = await validate(deps, family, conversion, row, rows[0]?.validation?.accuracy?.value);
  }
  // Only candidates that loaded safely (the crash probe passed) are loaded into this process;
  // unlike the pipeline, the bench also measures those that fail parity, to show what they cost.
  const measured = rows.filter((r) => r.artifact && r.validation?.runtime.executionProvider === 'cpu');
  const bench = await benchmarkCandidates(deps, {
    target: 'cpu',
    candidates: measured.map((r) => ({ label: r.label, digest: r.artifact?.digest as string })),
    conversion: 'fp32',
    batchSizes: [1, 16],
    ...family.measure,
    stabilityTolerance: 0.1,
  });
  for (const row of measured) row.benchmark = bench.candidates.find((b) => b.label === row.label);
  return rows;
}

/** Validates a row as the pipeline would; with held-out data, accuracy on it too (fp32's is the baseline of the others). */
async function validate(
  deps: Deps,
  family: Family,
  conversion: ConversionReport & { evaluationDigest?: string },
  row: PassRow,
  baselineAccuracy: number | undefined,
): Promise<PassRow['validation']> {
  const evaluation =
    family.data && conversion.evaluationDigest
      ? {
          digest: conversion.evaluationDigest,
          labels: family.data.labels,
          maxAccuracyDrop: 0.01,
          ...(baselineAccuracy !== undefined ? { baselineAccuracy } : {}),
        }
      : undefined;
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
    ...(evaluation ? { evaluation } : {}),
    endpoint: 'bench',
    allowBreakingChanges: true,
    timeoutMs: 600_000,
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
