/**
 * Optimize: one pass over a model, making a new content-addressed artifact with its lineage.
 *   graph  onnxruntime's basic (portable) graph optimizations, serialized via optimizedModelFilePath
 *   int8   int8 quantization after pre-processing (activities/python/int8Quantization.py): static QDQ calibrated on
 *          representative inputs (calibrationInputs.ts) for models with convolutions, dynamic for MatMul/Gemm models
 *   fp16   float16 weights and compute, fp32 inputs and outputs kept (onnxconverter-common); skipped when only
 *          CPU targets want it and its CPU session crashes onnxruntime (fp16 transformer graphs)
 *   transformer       onnxruntime's transformer optimizer (attention, layer norm, GELU fusion) for models with attention blocks
 *   transformer-int8  the transformer pass, then dynamic int8 of the fused graph
 * A pass that does not apply to the model (transformer fusion of a graph without attention or with nothing
 * it fuses, int8 of a model without Conv/MatMul/Gemm) answers `{ skipped: reason }` instead of an artifact,
 * and stores nothing.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { InputProfile, Int8Settings, ModelArtifact, ModelMetadata, OptimizationPass, SkippedPass, Target } from '../../sdk/schemas';
import { int8Settings, modelMetadata } from '../../sdk/schemas';
import type { ActivityContext } from '../activityContext';
import { isRejection, rejection } from '../failures';
import type { SourcePolicy } from '../ingest/sourcePolicy';
import { writeCalibrationInputs } from './calibrationInputs';
import { runPythonTool } from '../python/pythonTool';
import type { ModelRuntime } from '../../runtime';
import { getModel, putModel, readDocument, storeKeys, writeDocument, type ArtifactStore } from '../../store';

export interface OptimizeInput {
  artifact: ModelArtifact;
  pass: OptimizationPass;
  timeoutMs: number;
  /** How the int8 pass quantizes (the spec's `stages.optimize.int8`; its defaults when absent). */
  int8?: Int8Settings;
  /** The endpoint whose captured traffic static int8 may calibrate on. */
  endpoint?: string;
  /** The model's input profile (`model.profile`): calibration inputs when there is no other source. */
  profile?: InputProfile;
  /** Where the golden inputs come from (`stages.convert.golden`): static int8 does not calibrate on them. */
  golden?: { source?: string; seed: number };
  /** The targets whose pass lists hold this pass: fp16 wanted by CPU targets alone is skipped if its CPU session crashes onnxruntime. */
  targets?: Target[];
}

/** The tool's command and extra request fields per pass. */
const COMMANDS: Record<OptimizationPass, { command: string; request?: Record<string, unknown> }> = {
  graph: { command: 'optimize_graph' },
  int8: { command: 'quantize_int8' },
  fp16: { command: 'fp16' },
  transformer: { command: 'fuse_transformer' },
  'transformer-int8': { command: 'fuse_transformer', request: { quantize: 'int8' } },
};

const toolResponse = z.object({
  skipped: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()),
  toolVersions: z.record(z.string(), z.string()),
});

export async function optimizeModel(
  deps: { store: ArtifactStore; runtime: ModelRuntime; context: ActivityContext; sources: SourcePolicy },
  input: OptimizeInput,
): Promise<ModelArtifact | SkippedPass> {
  const { store } = deps;
  const parent = await readDocument(store, storeKeys.modelMetadata(input.artifact.digest), modelMetadata);
  if (!parent) throw new Error(`metadata of ${input.artifact.digest} is missing: convert it first`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modelship-optimize-'));
  try {
    const source = path.join(dir, 'input.onnx');
    const output = path.join(dir, 'output.onnx');
    await writeFile(source, await getModel(store, input.artifact.digest));
    // Every pass runs in a throwaway Python process (graph: onnxruntime's basic level, hardware-independent
    // rewrites, so the file runs on every execution provider), so a model that crashes a native library
    // cannot take the worker down.
    const { command, request } = COMMANDS[input.pass];
    const int8 = input.pass === 'int8' ? await int8Request(deps, input, parent, dir) : {};
    const targets = input.targets ? { targets: input.targets } : {};
    const { skipped, parameters, toolVersions } = await runPythonTool(command, { model: source, output, ...request, ...int8, ...targets }, toolResponse, {
      timeoutMs: input.timeoutMs,
      crashType: 'OptimizationFailed',
      onProgress: () => deps.context.heartbeat({ pass: input.pass }),
    });
    if (skipped !== undefined) return { skipped };
    const bytes = await readFile(output).catch(() => {
      throw rejection('OptimizationFailed', `the ${input.pass} pass wrote no model`);
    });
    const artifact = await putModel(store, bytes, 'onnx');
    const metadata: ModelMetadata = {
      digest: artifact.digest,
      format: 'onnx',
      sizeBytes: artifact.sizeBytes,
      io: parent.io,
      lineage: {
        parentDigest: input.artifact.digest,
        pass: input.pass,
        referenceDigest: parent.lineage.referenceDigest,
        goldenDigest: parent.lineage.goldenDigest,
        parameters,
        toolVersions,
      },
    };
    const key = storeKeys.modelMetadata(artifact.digest);
    if (!(await store.touch(key))) await writeDocument(store, key, metadata);
    return artifact;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The int8 settings, and the calibration inputs unless the method is dynamic. Whether `auto` needs them is
 * decided in the tool (from the model's ops): calibration inputs that cannot be had (an unreadable file)
 * are passed as a `calibrationProblem`, which refuses the pass only if it is static (a MatMul-only or
 * tree model does not fail on them).
 */
async function int8Request(deps: Parameters<typeof optimizeModel>[0], input: OptimizeInput, parent: ModelMetadata, dir: string): Promise<object> {
  const int8 = input.int8 ?? int8Settings.parse({});
  if (int8.method === 'dynamic') return { int8 };
  try {
    const calibration = await writeCalibrationInputs(
      deps,
      { inputs: parent.io.inputs, calibration: int8.calibration, endpoint: input.endpoint, profile: input.profile, golden: input.golden },
      dir,
    );
    return { int8, calibration };
  } catch (error) {
    // Infrastructure (a store that does not answer) is retried as always.
    if (!isRejection(error)) throw error;
    const { type, message } = error as ApplicationFailure;
    return { int8, calibrationProblem: { type, message } };
  }
}
