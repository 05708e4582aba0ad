/**
 * Parity catches wrong conversions: the real convert activity produces reference outputs, and the
 * real validate activity (onnxruntime-node) checks candidates that are subtly or grossly wrong.
 * Benchmarks resume from heartbeat details and mark unstable measurements.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { standaloneContext } from '../../activities/activityContext';
import { sourcePolicyFromEnv } from '../../activities/ingest/sourcePolicy';
import { benchmarkCandidates } from '../../activities/benchmark/benchmarkCandidates';
import { COMPARED_RUNS } from '../../activities/benchmark/stableComparison';
import { convertModel } from '../../activities/convert/convertModel';
import { ingestModel } from '../../activities/ingest/ingestModel';
import { OnnxRuntime } from '../../runtime';
import { FsArtifactStore, putModel, storeKeys, type ArtifactStore } from '../../store';
import { validateCandidate, type ValidateInput } from '../../activities/validate/validateCandidate';
import type { CandidateBenchmark, ConversionReport } from '../../sdk/schemas';
import { exampleFile, modelPath, tempDir } from '../support/testEnv';

let store: ArtifactStore;
let conversion: ConversionReport;
const runtime = new OnnxRuntime();
// Sources from the folders globalSetup allows (MODELSHIP_SOURCE_ROOTS).
const sources = sourcePolicyFromEnv(process.env);
const deps = () => ({ store, runtime, context: standaloneContext(), sources });

beforeAll(async () => {
  store = new FsArtifactStore(await tempDir('store-parity'));
  const source = await ingestModel(deps(), { source: pathToFileURL(modelPath('classifier')).href });
  conversion = await convertModel(deps(), {
    sourceKey: source.key,
    sourceUri: 'test',
    format: 'onnx',
    opset: 17,
    golden: { samples: 200, seed: 3 },
    timeoutMs: 60_000,
  });
});

async function validate(model: Parameters<typeof modelPath>[0], overrides: Partial<ValidateInput> = {}) {
  const artifact = await putModel(store, await readFile(modelPath(model)), 'onnx');
  return validateCandidate(deps(), {
    artifact,
    pass: 'convert',
    target: 'cpu',
    smokeTest: true,
    task: 'classifier',
    tolerances: {},
    int8MinAgreement: 0.99,
    referenceDigest: conversion.referenceDigest,
    goldenDigest: conversion.goldenDigest,
    endpoint: 'parity',
    allowBreakingChanges: false,
    timeoutMs: 60_000,
    ...overrides,
  });
}

test('the faithful model passes parity exactly', async () => {
  const report = await validate('classifier');
  expect(report.passed).toBe(true);
  expect(report.parity?.samples).toBe(200);
  expect(report.parity?.outputs.map((o) => [o.name, o.maxAbsError, o.passed])).toEqual([
    ['probabilities', 0, true],
    ['label', 0, true],
  ]);
  expect(report.parity?.outputs[0]?.top1Agreement).toBe(1);
  expect(report.structure?.opsets).toEqual({ 'ai.onnx': 17 });
});

test('the report is kept beside the artifact', async () => {
  const report = await validate('classifier');
  const stored = await store.get(storeKeys.modelValidation(report.digest));
  expect(JSON.parse(Buffer.from(stored ?? []).toString())).toMatchObject({ digest: report.digest, passed: true });
});

test('a TorchScript model converts with a dynamic batch axis and matches PyTorch', async () => {
  const source = await ingestModel(deps(), { source: pathToFileURL(exampleFile('pytorch_cnn_ts.pt')).href });
  const ts = await convertModel(deps(), {
    sourceKey: source.key,
    sourceUri: 'test',
    format: 'pytorch',
    inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 1, 8, 8] }],
    outputNames: ['logits'],
    opset: 17,
    golden: { samples: 16, seed: 0 },
    timeoutMs: 120_000,
  });
  expect(ts.io).toEqual({ inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 1, 8, 8] }], outputs: [{ name: 'logits', datatype: 'FP32', shape: [-1, 3] }] });
  const report = await validateCandidate(deps(), {
    artifact: ts.artifact,
    pass: 'convert',
    target: 'cpu',
    smokeTest: true,
    task: 'classifier',
    tolerances: {},
    int8MinAgreement: 0.99,
    referenceDigest: ts.referenceDigest,
    goldenDigest: ts.goldenDigest,
    endpoint: 'torchscript',
    allowBreakingChanges: false,
    timeoutMs: 60_000,
  });
  expect(report.passed).toBe(true);
  expect(report.parity?.outputs[0]?.top1Agreement).toBe(1);
});

test('a perturbed weight is caught by parity, with the numbers', async () => {
  const report = await validate('classifier_perturbed');
  expect(report.passed).toBe(false);
  const probabilities = report.parity?.outputs.find((o) => o.name === 'probabilities');
  expect(probabilities?.passed).toBe(false);
  expect(probabilities?.maxAbsError).toBeGreaterThan(1e-3);
  expect(probabilities?.top1Agreement).toBeLessThan(0.95);
  expect(report.reasons.join('\n')).toMatch(
    /parity of probabilities fails \(every element within atol 0.00001 \+ rtol 0.00001\): max abs [\d.]+, p99 abs .*top-1 agreement/,
  );
});

test('swapped outputs are caught by datatype and shape', async () => {
  const report = await validate('classifier_swapped');
  expect(report.passed).toBe(false);
  expect(report.parity?.outputs.map((o) => [o.name, o.shapeMatch, o.dtypeMatch, o.passed])).toEqual([
    ['probabilities', false, false, false],
    ['label', false, false, false],
  ]);
  expect(report.reasons.join('\n')).toMatch(/same shape and datatype \(got INT64 \[200\], reference FP32 \[200, 3\]\)/);
});

test('fp16 tolerances are looser than conversion tolerances, int8 is judged by agreement', async () => {
  // The perturbed model is far outside fp16 tolerance too, and below 99% top-1 agreement for int8.
  const fp16 = await validate('classifier_perturbed', { pass: 'fp16' });
  expect(fp16.parity?.outputs.find((o) => o.name === 'probabilities')?.criterion).toBe('p99 within atol 0.001 + rtol 0.01');
  expect(fp16.passed).toBe(false);
  const int8 = await validate('classifier_perturbed', { pass: 'int8' });
  expect(int8.parity?.outputs.find((o) => o.name === 'probabilities')?.criterion).toBe('top-1 agreement ≥ 0.99');
  expect(int8.passed).toBe(false);
  const faithfulInt8 = await validate('classifier', { pass: 'int8' });
  expect(faithfulInt8.passed).toBe(true);
});

test('a benchmark measures its models interleaved, again on a retry, and marks measurements that never settle', async () => {
  const digest = conversion.artifact.digest;
  const earlier: CandidateBenchmark = {
    label: 'fp32',
    digest,
    runtime: { ortVersion: 'earlier attempt', executionProvider: 'cpu', intraOpThreads: 0 },
    sessionCreateMs: 1,
    firstInferenceMs: 1,
    peakRssMb: 1,
    batches: [],
  };
  // Runs from an earlier attempt (perhaps on another worker) are not comparable with this one's: measured again.
  const report = await benchmarkCandidates(
    { store, runtime, context: standaloneContext({ done: [earlier] }) },
    {
      target: 'cpu',
      candidates: [
        { label: 'fp32', digest },
        { label: 'again', digest },
      ],
      stable: { version: 'v0', digest },
      batchSizes: [1],
      warmupRuns: 10,
      windowRuns: 5,
      stabilityTolerance: 0, // no three windows ever agree exactly: the budget ends first
      budgetMs: 200,
    },
  );
  for (const measured of [...report.candidates, report.baseline]) {
    expect(measured?.runtime.ortVersion).toBe('1.30.0');
    expect(measured?.batches[0]?.stable).toBe(false);
    expect(measured?.batches[0]?.windows).toBeGreaterThanOrEqual(3);
  }
  expect(report.baseline?.label).toBe('stable v0');
  // Interleaved: every model ran in the same rounds, so each comparison pairs equal counts.
  const runs = report.baseline?.batches[0]?.runs;
  expect(report.candidates.map((c) => c.batches[0]?.runs)).toEqual([runs, runs]);
  const compared = Math.min(runs ?? 0, COMPARED_RUNS);
  expect(report.comparisons?.map((c) => [c.label, c.samples, c.confidence])).toEqual([
    ['fp32', compared, 0.99],
    ['again', compared, 0.99],
  ]);
  for (const c of report.comparisons ?? []) expect(c.ratioLow).toBeLessThanOrEqual(c.ratioHigh);
});
