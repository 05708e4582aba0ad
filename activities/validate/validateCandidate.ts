/**
 * Validate one candidate: structure (onnx checker, shape inference), loads on the target, finite
 * outputs, the IO contract of the endpoint's stable version, numerical parity against the source
 * framework's reference outputs, and accuracy on a labelled evaluation set. Returns a typed report;
 * the workflow decides what a failure means (a rejection for the base model, "not selected" for
 * an optimized copy).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { stableVersion } from '../rollout/stableVersion';
import {
  modelMetadata,
  type ModelArtifact,
  type Target,
  type ValidationReport,
} from '../../sdk/schemas';
import type { ActivityContext } from '../activityContext';
import { rejection } from '../failures';
import { runPythonTool } from '../python/pythonTool';
import { ModelLoadError, syntheticInputs, type ModelRuntime, type ModelSession, type TensorData, type TensorMap } from '../../runtime';
import { loadForTarget, NoExecutionProviderError } from '../../runtime/executionProviders';
import { getBundle } from '../../runtime/tensorBundle';
import { ArtifactCorruptError, getModel, readDocument, storeKeys, writeDocument, type ArtifactStore } from '../../store';
import { breakingChanges, formatChanges } from './ioContract';
import { argmaxRow, compareWithReference, scoreOutputOf } from './parity';

export interface ValidateInput {
  artifact: ModelArtifact;
  /** The pass that made it: `convert` for the base model. */
  pass: string;
  target: Target;
  smokeTest: boolean;
  task: 'classifier' | 'regressor' | 'other';
  scoreOutput?: string;
  tolerances: Record<string, { atol: number; rtol: number }>;
  int8MinAgreement: number;
  referenceDigest?: string;
  goldenDigest?: string;
  evaluation?: { digest: string; labels: string; maxAccuracyDrop: number; baselineAccuracy?: number };
  /** Checked against this endpoint's stable version's IO. */
  endpoint: string;
  allowBreakingChanges: boolean;
  timeoutMs: number;
}

const checkResponse = z.object({ irVersion: z.number(), opsets: z.record(z.string(), z.number()), nodes: z.number() }).passthrough();

export async function validateCandidate(
  deps: { store: ArtifactStore; runtime: ModelRuntime; context: ActivityContext },
  input: ValidateInput,
): Promise<ValidationReport> {
  const { store, runtime } = deps;
  const bytes = await loadVerified(store, input.artifact.digest);
  const reasons: string[] = [];

  // The checker and a first onnxruntime session run in a throwaway process: a model that crashes
  // onnxruntime is refused there, and never loaded into this worker.
  let structure: z.infer<typeof checkResponse> | undefined;
  try {
    structure = await checkStructure(bytes, input.timeoutMs);
  } catch (error) {
    if (!isRejection(error)) throw error;
    reasons.push((error as Error).message);
    if ((error as { type?: string }).type === 'ModelUnloadable') {
      return {
        digest: input.artifact.digest,
        pass: input.pass,
        io: { inputs: [], outputs: [] },
        loadMs: 0,
        runtime: { ortVersion: runtime.version, executionProvider: 'none', intraOpThreads: 0 },
        passed: false,
        reasons,
      };
    }
  }

  const started = performance.now();
  let session: ModelSession;
  try {
    session = await loadForTarget(runtime, bytes, input.target, { allowSpinning: false });
  } catch (error) {
    if (error instanceof NoExecutionProviderError) throw rejection('NoGpuExecutionProvider', error.message);
    if (error instanceof ModelLoadError) throw rejection('ModelUnloadable', error.message);
    throw error;
  }
  const loadMs = performance.now() - started;
  try {
    const report: ValidationReport = {
      digest: input.artifact.digest,
      pass: input.pass,
      io: session.signature,
      loadMs,
      runtime: session.runtime,
      ...(structure ? { structure: { irVersion: structure.irVersion, opsets: structure.opsets, nodes: structure.nodes } } : {}),
      passed: false,
      reasons,
    };

    if (input.smokeTest) {
      const outputs = await run(session, syntheticInputs(session.signature.inputs), reasons, 'synthetic inputs');
      if (outputs) {
        report.smokeTest = {
          outputs: Object.entries(outputs).map(([name, t]) => ({ name, shape: [...t.shape], nonFinite: countNonFinite(t.data) })),
        };
        const bad = report.smokeTest.outputs.filter((o) => o.nonFinite > 0);
        if (bad.length > 0) reasons.push(`NaN or Inf on synthetic inputs: ${bad.map((o) => `${o.name} (${o.nonFinite} values)`).join(', ')}`);
      }
    }

    const stable = await stableIo(store, input.endpoint);
    if (stable) {
      const breaking = breakingChanges(stable.io, session.signature);
      report.ioContract = { stableVersion: stable.version, breaking, allowed: input.allowBreakingChanges };
      if (breaking.length > 0 && !input.allowBreakingChanges) {
        reasons.push(`breaks the IO contract of stable ${stable.version}: ${formatChanges(breaking)}`);
      }
    }

    const scoreOutput = input.task === 'classifier' ? scoreOutputOf(session.signature.outputs, input.scoreOutput) : undefined;
    if (input.referenceDigest && input.goldenDigest) {
      const golden = await getBundle(store, input.goldenDigest);
      const reference = await getBundle(store, input.referenceDigest);
      const outputs = await run(session, golden, reasons, 'golden inputs');
      if (outputs) {
        const parity = compareWithReference(outputs, reference, {
          pass: input.pass,
          tolerances: input.tolerances,
          int8MinAgreement: input.int8MinAgreement,
          scoreOutput,
          judgedByAccuracy: input.evaluation !== undefined,
        });
        report.parity = { outputs: parity, samples: firstDim(golden) };
        for (const p of parity.filter((o) => !o.passed)) {
          reasons.push(
            `parity of ${p.name} fails (${p.criterion}): max abs ${fmt(p.maxAbsError)}, p99 abs ${fmt(p.p99AbsError)}, ` +
              `max rel ${fmt(p.maxRelError)}${p.top1Agreement !== undefined ? `, top-1 agreement ${fmt(p.top1Agreement)}` : ''}` +
              `${p.nonFinite ? `, ${p.nonFinite} NaN/Inf` : ''}`,
          );
        }
      }
    }

    if (input.evaluation) {
      const data = await getBundle(store, input.evaluation.digest);
      const labels = data[input.evaluation.labels];
      if (!labels) throw rejection('InvalidDataset', `the evaluation set has no "${input.evaluation.labels}" array`);
      const feeds: TensorMap = {};
      for (const spec of session.signature.inputs) {
        const tensor = data[spec.name];
        if (!tensor) throw rejection('InvalidDataset', `the evaluation set has no "${spec.name}" array for input ${spec.name}`);
        feeds[spec.name] = tensor;
      }
      const outputs = await run(session, feeds, reasons, 'the evaluation set');
      if (outputs) {
        const value = accuracy(outputs, labels.data, scoreOutput);
        if (value === undefined) {
          reasons.push('accuracy needs a classifier: set model.task to classifier (and scoreOutput if needed)');
        } else {
          const baseline = input.evaluation.baselineAccuracy;
          const drop = baseline === undefined ? undefined : baseline - value;
          report.accuracy = { metric: 'accuracy', value, samples: labels.data.length, ...(baseline !== undefined ? { baseline, drop } : {}) };
          if (drop !== undefined && drop > input.evaluation.maxAccuracyDrop) {
            reasons.push(`accuracy ${fmt(value)} is ${fmt(drop)} below fp32 (${fmt(baseline as number)}); at most ${input.evaluation.maxAccuracyDrop} allowed`);
          }
          if (input.pass === 'int8' && baseline !== undefined && value < 0.99 * baseline) {
            reasons.push(`int8 accuracy ${fmt(value)} is below 99% of fp32 (${fmt(baseline)})`);
          }
        }
      }
    }
    report.passed = reasons.length === 0;
    // Kept beside the artifact: the latest verdict on it, with every number.
    await writeDocument(store, storeKeys.modelValidation(input.artifact.digest), report);
    return report;
  } finally {
    await session.release();
  }
}

/** Reads a model and turns a digest mismatch into a non-retryable failure. */
export async function loadVerified(store: ArtifactStore, digest: string): Promise<Uint8Array> {
  try {
    return await getModel(store, digest);
  } catch (error) {
    if (error instanceof ArtifactCorruptError) throw rejection('ArtifactCorrupt', error.message);
    throw error;
  }
}

async function checkStructure(bytes: Uint8Array, timeoutMs: number): Promise<z.infer<typeof checkResponse>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modelship-check-'));
  try {
    const file = path.join(dir, 'model.onnx');
    await writeFile(file, bytes);
    return await runPythonTool('check', { model: file }, checkResponse, { timeoutMs, crashType: 'ModelUnloadable' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The IO of the version that takes most of the endpoint's traffic now, if the endpoint exists. */
async function stableIo(store: ArtifactStore, endpoint: string) {
  const stable = await stableVersion(store, endpoint);
  if (!stable) return undefined;
  const metadata = await readDocument(store, storeKeys.modelMetadata(stable.digest), modelMetadata);
  return metadata ? { version: stable.version, io: metadata.io } : undefined;
}

async function run(session: ModelSession, feeds: TensorMap, reasons: string[], what: string): Promise<TensorMap | undefined> {
  try {
    return await session.run(feeds);
  } catch (error) {
    reasons.push(`fails on ${what}: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

/** Share of rows whose predicted class (argmax of the score output, or an integer label output) equals the label. */
function accuracy(outputs: TensorMap, labels: TensorData, scoreOutput: string | undefined): number | undefined {
  const score = scoreOutput ? outputs[scoreOutput] : undefined;
  const labelOutput = Object.values(outputs).find((t) => t.datatype === 'INT64' && t.shape.length === 1);
  const n = labels.length;
  if (n === 0) return undefined;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const predicted = score ? argmaxRow(score, i, score.shape[1] as number) : labelOutput ? Number(labelOutput.data[i]) : undefined;
    if (predicted === undefined) return undefined;
    if (predicted === Number(labels[i])) correct++;
  }
  return correct / n;
}

function firstDim(tensors: TensorMap): number {
  return (Object.values(tensors)[0]?.shape[0] as number | undefined) ?? 0;
}

function countNonFinite(data: TensorData): number {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return 0;
  let n = 0;
  for (const v of data) if (!Number.isFinite(v)) n++;
  return n;
}

function isRejection(error: unknown): boolean {
  return (error as { nonRetryable?: boolean })?.nonRetryable === true;
}

function fmt(v: number | null): string {
  if (v === null) return '∞/NaN';
  return Number.isFinite(v) ? (Math.abs(v) >= 0.01 || v === 0 ? v.toFixed(4) : v.toExponential(2)) : String(v);
}
