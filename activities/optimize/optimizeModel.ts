/**
 * Optimize: one pass over a model, making a new content-addressed artifact with its lineage.
 *   graph  onnxruntime's basic (portable) graph optimizations, serialized via optimizedModelFilePath
 *   int8   dynamic int8 quantization (onnxruntime.quantization)
 *   fp16   float16 weights and compute, fp32 inputs and outputs kept (onnxconverter-common); skipped when only
 *          CPU targets want it and its CPU session crashes onnxruntime (fp16 transformer graphs)
 *   transformer       onnxruntime's transformer optimizer (attention, layer norm, GELU fusion) for models with attention blocks
 *   transformer-int8  the transformer pass, then dynamic int8 of the fused graph
 * A pass that does not apply to the model (transformer fusion of a graph without attention) answers
 * `{ skipped: reason }` instead of an artifact, and stores nothing.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { Int8Settings, ModelArtifact, ModelMetadata, OptimizationPass, SkippedPass, Target } from '../../sdk/schemas';
import { modelMetadata } from '../../sdk/schemas';
import type { ActivityContext } from '../activityContext';
import { rejection } from '../failures';
import { runPythonTool } from '../python/pythonTool';
import type { ModelRuntime } from '../../runtime';
import { getModel, putModel, readDocument, storeKeys, writeDocument, type ArtifactStore } from '../../store';

export interface OptimizeInput {
  artifact: ModelArtifact;
  pass: OptimizationPass;
  timeoutMs: number;
  /** How the int8 pass quantizes (the spec's `stages.optimize.int8`). */
  int8?: Int8Settings;
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
  deps: { store: ArtifactStore; runtime: ModelRuntime; context: ActivityContext },
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
    const { skipped, parameters, toolVersions } = await runPythonTool(
      command,
      { model: source, output, ...request, ...(input.targets ? { targets: input.targets } : {}) },
      toolResponse,
      {
        timeoutMs: input.timeoutMs,
        crashType: 'OptimizationFailed',
        onProgress: () => deps.context.heartbeat({ pass: input.pass }),
      },
    );
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
