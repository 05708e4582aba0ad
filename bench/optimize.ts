/**
 * `npm run bench:optimize`: what each optimization pass buys, per model family, measured in one run
 * with the pipeline's own activities (convert → graph/int8/fp16 → validate → benchmark, on CPU):
 * size ratio, p50 latency ratio and parity against fp32 (max abs error; top-1 agreement for the CNN).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { standaloneContext } from '../activities/activityContext';
import { sourcePolicyFromEnv } from '../activities/ingest/sourcePolicy';
import { benchmarkCandidates } from '../activities/benchmark/benchmarkCandidates';
import { convertModel } from '../activities/convert/convertModel';
import { ingestModel } from '../activities/ingest/ingestModel';
import { optimizeModel } from '../activities/optimize/optimizeModel';
import { OnnxRuntime } from '../runtime';
import { FsArtifactStore } from '../store';
import { validateCandidate } from '../activities/validate/validateCandidate';
import { venvPython } from '../activities/python/venv';
import type { ModelArtifact, OptimizationPass, TensorSpec, ValidationReport } from '../sdk/schemas';

const FAMILIES: { name: string; file: string; task: 'classifier' | 'other'; inputs: TensorSpec[] }[] = [
  {
    name: 'transformer block (d128, 4 heads, seq 32)',
    file: 'transformer_block.pt2',
    task: 'other',
    inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 32, 128] }],
  },
  { name: 'small CNN (3x32x32, 3 conv blocks)', file: 'cnn.pt2', task: 'classifier', inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3, 32, 32] }] },
];
const PASSES: OptimizationPass[] = ['graph', 'int8', 'fp16'];

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modelship-bench-opt-'));
  execFileSync(venvPython(), [path.join(__dirname, 'makeBenchModels.py'), dir], { stdio: 'ignore' });
  const store = new FsArtifactStore(path.join(dir, 'store'));
  const runtime = new OnnxRuntime();
  const deps = { store, runtime, context: standaloneContext(), sources: { ...sourcePolicyFromEnv(process.env), roots: [dir] } };
  const lines: string[] = [];
  try {
    for (const family of FAMILIES) {
      const source = await ingestModel(deps, { source: pathToFileURL(path.join(dir, family.file)).href });
      const conversion = await convertModel(deps, {
        sourceKey: source.key,
        sourceUri: family.file,
        format: 'pytorch',
        inputs: family.inputs,
        opset: 18,
        golden: { samples: 64, seed: 0 },
        timeoutMs: 600_000,
      });
      const candidates: { label: string; artifact?: ModelArtifact; error?: string }[] = [{ label: 'fp32', artifact: conversion.artifact }];
      for (const pass of PASSES) {
        try {
          candidates.push({ label: pass, artifact: await optimizeModel(deps, { artifact: conversion.artifact, pass, timeoutMs: 600_000 }) });
        } catch (error) {
          candidates.push({ label: pass, error: (error as Error).message });
        }
      }
      const reports = new Map<string, ValidationReport>();
      for (const c of candidates.filter((x) => x.artifact)) {
        reports.set(
          c.label,
          await validateCandidate(deps, {
            artifact: c.artifact as ModelArtifact,
            pass: c.label === 'fp32' ? 'convert' : c.label,
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
          }),
        );
      }
      // Only candidates that loaded safely (the crash probe passed) are loaded into this process;
      // unlike the pipeline, the bench also measures those that fail parity, to show what they cost.
      const measured = candidates
        .filter((c) => c.artifact && reports.get(c.label)?.runtime.executionProvider === 'cpu')
        .map((c) => ({ label: c.label, digest: (c.artifact as ModelArtifact).digest }));
      const bench = await benchmarkCandidates(deps, {
        target: 'cpu',
        candidates: measured,
        batchSizes: [1, 16],
        warmupRuns: 20,
        windowRuns: 50,
        stabilityTolerance: 0.1,
        budgetMs: 15_000,
      });
      const base = bench.candidates.find((b) => b.label === 'fp32');
      lines.push('', `${family.name}`, 'pass    size KiB  ×size  p50 ms(b1)  ×p50  items/s(b16)  ×thr   max abs err  top-1 agr  parity');
      for (const c of candidates) {
        if (!c.artifact) {
          lines.push(`${c.label.padEnd(7)} failed: ${c.error?.split('\n')[0]?.slice(0, 90)}`);
          continue;
        }
        const b = bench.candidates.find((x) => x.label === c.label);
        const v = reports.get(c.label);
        if (!b) {
          lines.push(
            `${c.label.padEnd(7)} ${(c.artifact.sizeBytes / 1024).toFixed(0).padStart(8)}  ${(c.artifact.sizeBytes / conversion.artifact.sizeBytes).toFixed(2).padStart(5)}  refused: ${v?.reasons.join('; ').slice(0, 110)}`,
          );
          continue;
        }
        const out = v?.parity?.outputs[0];
        const p50 = b?.batches[0]?.latencyMs.p50 ?? NaN;
        const thr = b?.batches[1]?.throughputPerSec ?? NaN;
        const baseP50 = base?.batches[0]?.latencyMs.p50 ?? NaN;
        const baseThr = base?.batches[1]?.throughputPerSec ?? NaN;
        const unstable = b?.batches.some((x) => !x.stable) ? ' (unstable)' : '';
        lines.push(
          `${c.label.padEnd(7)} ${(c.artifact.sizeBytes / 1024).toFixed(0).padStart(8)}  ${(c.artifact.sizeBytes / conversion.artifact.sizeBytes).toFixed(2).padStart(5)}  ` +
            `${p50.toFixed(3).padStart(10)}  ${(p50 / baseP50).toFixed(2).padStart(4)}  ${thr.toFixed(0).padStart(12)}  ${(thr / baseThr).toFixed(2).padStart(4)}  ` +
            `${(out?.maxAbsError ?? NaN).toExponential(2).padStart(11)}  ${out?.top1Agreement === undefined ? '    –' : out.top1Agreement.toFixed(3).padStart(9)}  ${v?.passed ? 'pass' : 'fail'}${unstable}`,
        );
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`\nonnxruntime ${runtime.version}, ${os.availableParallelism()} cores; ratios against the fp32 conversion measured in the same run`);
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
