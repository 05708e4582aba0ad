/**
 * Convert: the source model (PyTorch, scikit-learn, XGBoost, LightGBM or ONNX) to an fp32 ONNX artifact, with the
 * source framework's own outputs on golden inputs stored beside it, so every later copy can be
 * checked against the original model. The golden inputs come from the input profile (or the user's
 * `.npz`): shapes and values are resolved here (runtime/inputProfile.ts), the Python tool only runs them.
 * An ONNX source is stored as it is unless another opset is asked for; its reference outputs are
 * onnxruntime's on the untouched source.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import {
  ioSignature,
  type ConversionReport,
  type InputProfile,
  type ModelMetadata,
  type RegistryLineage,
  type SourceFormat,
  type TensorSpec,
} from '../../sdk/schemas';
import type { ActivityContext } from '../activityContext';
import { readDataFile } from '../ingest/readDataFile';
import type { SourcePolicy } from '../ingest/sourcePolicy';
import { runPythonTool } from '../python/pythonTool';
import { planInputs, profileInputs, profileProblems, type ModelRuntime } from '../../runtime';
import { encodeBundleRuns, putBundle } from '../../runtime/tensorBundle';
import { rejection } from '../failures';
import { ArtifactCorruptError, getVerified, putModel, storeKeys, writeDocument, type ArtifactStore } from '../../store';

export interface ConvertInput {
  /** The stored source (`sources/<sha256><ext>`). */
  sourceKey: string;
  sourceUri: string;
  format: SourceFormat;
  /** Where a registry source came from: recorded in the artifact's lineage. */
  registry?: RegistryLineage;
  inputs?: TensorSpec[];
  outputNames?: string[];
  /** Opset to convert to; unset: an ONNX source keeps its own, the exporters use their default (17). */
  opset?: number;
  golden: { source?: string; samples: number; seed: number };
  /** The model's input profile (`model.profile`): golden input shapes and values, or its sample set. */
  profile?: InputProfile;
  /** An `.npz` evaluation set to store as a tensor bundle. */
  evaluationSource?: string;
  timeoutMs: number;
}

const convertResponse = z.object({
  io: ioSignature,
  goldenCount: z.number().int(),
  toolVersions: z.record(z.string(), z.string()),
});

export async function convertModel(
  deps: { store: ArtifactStore; runtime: ModelRuntime; context: ActivityContext; sources: SourcePolicy },
  input: ConvertInput,
): Promise<ConversionReport & { evaluationDigest?: string }> {
  const { store, context } = deps;
  const readData = (source: string, failure: 'InvalidDataset' | 'InvalidGoldenInputs', what: string) => readDataFile(deps, source, failure, what);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modelship-convert-'));
  try {
    const sourceBytes = await storedSource(store, input.sourceKey);
    const sourceFile = path.join(dir, `source${path.extname(input.sourceKey)}`);
    await writeFile(sourceFile, sourceBytes);

    if (!input.inputs && input.format !== 'onnx') {
      throw rejection('ModelConversionFailed', `${input.sourceUri} holds a ${input.format} model: declare its inputs in model.inputs (name, datatype, shape)`);
    }
    const inputs = input.inputs ?? (await readSignature(sourceFile, input.timeoutMs));
    const golden = await goldenRequest(dir, inputs, input, readData);
    const output = path.join(dir, 'model.onnx');
    const response = await runPythonTool(
      'convert',
      {
        format: input.format,
        source: sourceFile,
        output,
        opset: input.opset,
        inputs,
        outputNames: input.outputNames,
        golden: golden.request,
        goldenOut: path.join(dir, 'golden.json'),
        referenceOut: path.join(dir, 'reference.json'),
      },
      convertResponse,
      { timeoutMs: input.timeoutMs, crashType: 'ModelConversionFailed', onProgress: () => context.heartbeat({ phase: 'convert' }) },
    );
    const artifact = await putModel(store, await readFile(output), 'onnx');
    const goldenDigest = await putBundle(store, await readFile(path.join(dir, 'golden.json')));
    const referenceDigest = await putBundle(store, await readFile(path.join(dir, 'reference.json')));

    const evaluationDigest = input.evaluationSource ? await storeEvaluationSet(store, dir, input.evaluationSource, input.timeoutMs, readData) : undefined;

    const metadata: ModelMetadata = {
      digest: artifact.digest,
      format: 'onnx',
      sizeBytes: artifact.sizeBytes,
      io: response.io,
      lineage: {
        source: input.sourceUri,
        pass: 'convert',
        referenceDigest,
        goldenDigest,
        parameters: {
          format: input.format,
          ...(input.opset !== undefined ? { opset: input.opset } : {}),
          sourceKey: input.sourceKey,
          ...(input.registry ? { registry: input.registry } : {}),
        },
        toolVersions: response.toolVersions,
      },
    };
    const metadataKey = storeKeys.modelMetadata(artifact.digest);
    if (!(await store.touch(metadataKey))) await writeDocument(store, metadataKey, metadata);
    return {
      artifact,
      io: response.io,
      goldenDigest,
      referenceDigest,
      goldenCount: response.goldenCount,
      ...(golden.description ? { goldenInputs: golden.description } : {}),
      toolVersions: response.toolVersions,
      ...(evaluationDigest ? { evaluationDigest } : {}),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The `.npz` evaluation set as a tensor bundle in the store: its digest. */
async function storeEvaluationSet(
  store: ArtifactStore,
  dir: string,
  source: string,
  timeoutMs: number,
  readData: (source: string, failure: 'InvalidDataset', what: string) => Promise<Uint8Array>,
): Promise<string> {
  const npz = path.join(dir, 'evaluation.npz');
  await writeFile(npz, await readData(source, 'InvalidDataset', 'evaluation set'));
  await runPythonTool('bundle', { path: npz, output: path.join(dir, 'evaluation.json') }, z.object({}).passthrough(), { timeoutMs });
  return putBundle(store, await readFile(path.join(dir, 'evaluation.json')));
}

/** The ingested source, checked against the digest in its key (a corrupt one is quarantined: ingest again stores it anew). */
async function storedSource(store: ArtifactStore, key: string): Promise<Uint8Array> {
  const digest = storeKeys.digestOf(key);
  try {
    const bytes = digest ? await getVerified(store, key, digest) : await store.get(key);
    if (!bytes) throw new Error(`source ${key} is not in the store`);
    return bytes;
  } catch (error) {
    if (error instanceof ArtifactCorruptError) throw rejection('ArtifactCorrupt', error.message);
    throw error;
  }
}

/** An ONNX source's inputs, read by the Python tool (in its own process: the model is untrusted). */
async function readSignature(sourceFile: string, timeoutMs: number): Promise<TensorSpec[]> {
  const response = await runPythonTool('signature', { model: sourceFile }, z.object({ io: ioSignature }), { timeoutMs, crashType: 'ModelUnloadable' });
  return response.io.inputs;
}

/**
 * The golden inputs for the tool: the user's `.npz` (`golden.source`, else the profile's `samples`),
 * split into one run per sample when the model cannot take them as one batch; or runs drawn from the
 * profile, written as a tensor bundle. A profile that disagrees with the model is refused.
 */
async function goldenRequest(
  dir: string,
  inputs: TensorSpec[],
  input: ConvertInput,
  readData: (source: string, failure: 'InvalidGoldenInputs', what: string) => Promise<Uint8Array>,
): Promise<{ request: object; description?: string }> {
  const problems = profileProblems(inputs, input.profile);
  if (problems.length > 0) throw rejection('InvalidGoldenInputs', `the input profile does not fit the model: ${problems.join('; ')}`);
  const plan = planInputs(inputs, input.profile, { samples: input.golden.samples });
  const npz = input.golden.source ?? input.profile?.samples;
  if (npz) {
    const file = path.join(dir, 'golden.npz');
    await writeFile(file, await readData(npz, 'InvalidGoldenInputs', 'golden inputs'));
    return { request: { path: file, perSample: !plan.stacked } };
  }
  const file = path.join(dir, 'golden-in.json');
  await writeFile(file, JSON.stringify(encodeBundleRuns(profileInputs(inputs, input.profile, { samples: input.golden.samples, seed: input.golden.seed }))));
  return { request: { bundle: file }, description: plan.description };
}
