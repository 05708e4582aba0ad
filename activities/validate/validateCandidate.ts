/**
 * Validate one candidate: structure (onnx checker, shape inference), loads on the target, finite
 * outputs, the IO contract of the endpoint's stable version, numerical parity against the source
 * framework's reference outputs, accuracy on a labelled evaluation set, and (for the fp32 model) its
 * behaviour against the stable version's on the same replay inputs. Returns a typed report;
 * the workflow decides what a failure means (a rejection for the base model, "not selected" for
 * an optimized copy).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { stableVersion } from '../rollout/stableVersion';
import { modelMetadata, type InputProfile, type ModelArtifact, type Target, type ValidationReport } from '../../sdk/schemas';
import type { ActivityContext } from '../activityContext';
import { isRejection, rejection } from '../failures';
import { runPythonTool } from '../python/pythonTool';
import { ModelLoadError, SHARED_SESSION_SPIN_US, type ModelRuntime, type ModelSession, type TensorMap } from '../../runtime';
import { loadForTarget, NoExecutionProviderError } from '../../runtime/executionProviders';
import { encodeBundleRuns, getBundle, getBundleRuns } from '../../runtime/tensorBundle';
import { ArtifactCorruptError, getModel, readDocument, storeKeys, writeDocument, type ArtifactStore } from '../../store';
import { breakingChanges, formatChanges } from './ioContract';
import { accuracy, evaluationFeeds } from './evaluationSet';
import { compareRunsWithReference, isInt8Pass, scoreOutputOf } from './parity';
import { checkBehaviour, type BehaviourInput } from './replayGate';
import { probeInputs, smokeTest } from './smokeTest';

export interface ValidateInput {
  artifact: ModelArtifact;
  /** The pass that made it: `convert` for the base model. */
  pass: string;
  target: Target;
  smokeTest: boolean;
  /** The model's input profile: the first-load probe and the smoke test run on its shapes and values. */
  profile?: InputProfile;
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
  /** The fp32 candidate only: compare its answers with the stable version's before any traffic. */
  behaviour?: BehaviourInput;
  timeoutMs: number;
}

const checkResponse = z.object({ irVersion: z.number(), opsets: z.record(z.string(), z.number()), nodes: z.number() }).passthrough();

type StructureCheck = z.infer<typeof checkResponse>;

export async function validateCandidate(
  deps: { store: ArtifactStore; runtime: ModelRuntime; context: ActivityContext },
  input: ValidateInput,
): Promise<ValidationReport> {
  const { store, runtime } = deps;
  const bytes = await loadVerified(store, input.artifact.digest);
  const reasons: string[] = [];

  const structure = await runStructureCheck(bytes, input, await probeInputs(store, input.artifact.digest, input.profile), reasons);
  if (structure === 'unloadable') return unloadableReport(input, runtime, reasons);

  const { session, loadMs } = await loadSession(runtime, bytes, input.target);
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
    if (input.smokeTest) await smokeTest(session, input.profile, report);
    await checkIoContract(store, input, session, report);
    const scoreOutput = input.task === 'classifier' ? scoreOutputOf(session.signature.outputs, input.scoreOutput) : undefined;
    if (input.referenceDigest && input.goldenDigest) {
      await checkParity(store, input, { golden: input.goldenDigest, reference: input.referenceDigest }, { session, scoreOutput }, report);
    }
    if (input.evaluation) await checkAccuracy(store, input, input.evaluation, { session, scoreOutput }, report);
    if (input.behaviour)
      await checkBehaviour({ store, runtime, loadModel: (digest) => loadVerified(store, digest) }, { ...input, behaviour: input.behaviour }, session, report);
    report.passed = reasons.length === 0;
    // Kept beside the artifact: the latest verdict on it, with every number.
    await writeDocument(store, storeKeys.modelValidation(input.artifact.digest), report);
    return report;
  } finally {
    await session.release();
  }
}

/**
 * The checker and a first onnxruntime session, run in a throwaway process: a model that crashes
 * onnxruntime is refused there, and never loaded into this worker. A refusal is a reason; a model
 * onnxruntime cannot run at all is `'unloadable'` (nothing more to check).
 */
async function runStructureCheck(
  bytes: Uint8Array,
  input: ValidateInput,
  probe: TensorMap[] | undefined,
  reasons: string[],
): Promise<StructureCheck | 'unloadable' | undefined> {
  try {
    return await checkStructure(bytes, input.timeoutMs, probe);
  } catch (error) {
    if (!isRejection(error)) throw error;
    reasons.push((error as Error).message);
    return (error as { type?: string }).type === 'ModelUnloadable' ? 'unloadable' : undefined;
  }
}

/** The report on a model onnxruntime cannot run: no IO, no session, failed with the reasons. */
function unloadableReport(input: ValidateInput, runtime: ModelRuntime, reasons: string[]): ValidationReport {
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

/** Loads the candidate on its target in this worker, timed; a missing GPU provider or a load error is a rejection. */
async function loadSession(runtime: ModelRuntime, bytes: Uint8Array, target: Target): Promise<{ session: ModelSession; loadMs: number }> {
  const started = performance.now();
  try {
    const session = await loadForTarget(runtime, bytes, target, { spinMicroseconds: SHARED_SESSION_SPIN_US });
    return { session, loadMs: performance.now() - started };
  } catch (error) {
    if (error instanceof NoExecutionProviderError) throw rejection('NoGpuExecutionProvider', error.message);
    if (error instanceof ModelLoadError) throw rejection('ModelUnloadable', error.message);
    throw error;
  }
}

/** Compares the signature with the endpoint's stable version's IO, if there is one; a breaking change is a reason unless allowed. */
async function checkIoContract(store: ArtifactStore, input: ValidateInput, session: ModelSession, report: ValidationReport): Promise<void> {
  const stable = await stableIo(store, input.endpoint);
  if (!stable) return;
  const breaking = breakingChanges(stable.io, session.signature);
  report.ioContract = { stableVersion: stable.version, breaking, allowed: input.allowBreakingChanges };
  if (breaking.length > 0 && !input.allowBreakingChanges) {
    report.reasons.push(`breaks the IO contract of stable ${stable.version}: ${formatChanges(breaking)}`);
  }
}

/** The candidate under test and the classifier's score output (undefined for other tasks). */
interface Candidate {
  session: ModelSession;
  scoreOutput: string | undefined;
}

/** Runs the golden inputs and compares with the source framework's reference outputs by the pass's rule. */
async function checkParity(
  store: ArtifactStore,
  input: ValidateInput,
  bundles: { golden: string; reference: string },
  candidate: Candidate,
  report: ValidationReport,
): Promise<void> {
  const golden = await getBundleRuns(store, bundles.golden);
  const reference = await getBundleRuns(store, bundles.reference);
  const outputs: TensorMap[] = [];
  for (const feeds of golden) {
    const answer = await run(candidate.session, feeds, report.reasons, 'golden inputs');
    if (!answer) return;
    outputs.push(answer);
  }
  const parity = compareRunsWithReference(outputs, reference, {
    pass: input.pass,
    tolerances: input.tolerances,
    int8MinAgreement: input.int8MinAgreement,
    scoreOutput: candidate.scoreOutput,
    judgedByAccuracy: input.evaluation !== undefined,
  });
  report.parity = { outputs: parity, samples: golden.length > 1 ? golden.length : firstDim(golden[0] ?? {}) };
  for (const p of parity.filter((o) => !o.passed)) {
    report.reasons.push(
      `parity of ${p.name} fails (${p.criterion}): max abs ${fmt(p.maxAbsError)}, p99 abs ${fmt(p.p99AbsError)}, ` +
        `max rel ${fmt(p.maxRelError)}${p.top1Agreement !== undefined ? `, top-1 agreement ${fmt(p.top1Agreement)}` : ''}` +
        `${p.nonFinite ? `, ${p.nonFinite} NaN/Inf` : ''}`,
    );
  }
}

/** Accuracy on the labelled evaluation set, against fp32's when a baseline is given (at most the allowed drop; int8 at least 99% of it). */
async function checkAccuracy(
  store: ArtifactStore,
  input: ValidateInput,
  evaluation: NonNullable<ValidateInput['evaluation']>,
  candidate: Candidate,
  report: ValidationReport,
): Promise<void> {
  const { feeds, labels } = evaluationFeeds(await getBundle(store, evaluation.digest), evaluation.labels, candidate.session.signature.inputs);
  const outputs = await run(candidate.session, feeds, report.reasons, 'the evaluation set');
  if (!outputs) return;
  const value = accuracy(outputs, labels, candidate.scoreOutput);
  if (value === undefined) {
    report.reasons.push('accuracy needs a classifier: set model.task to classifier (and scoreOutput if needed)');
    return;
  }
  const baseline = evaluation.baselineAccuracy;
  const drop = baseline === undefined ? undefined : baseline - value;
  report.accuracy = { metric: 'accuracy', value, samples: labels.length, ...(baseline !== undefined ? { baseline, drop } : {}) };
  if (drop !== undefined && drop > evaluation.maxAccuracyDrop) {
    report.reasons.push(`accuracy ${fmt(value)} is ${fmt(drop)} below fp32 (${fmt(baseline as number)}); at most ${evaluation.maxAccuracyDrop} allowed`);
  }
  if (isInt8Pass(input.pass) && baseline !== undefined && value < 0.99 * baseline) {
    report.reasons.push(`int8 accuracy ${fmt(value)} is below 99% of fp32 (${fmt(baseline)})`);
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

async function checkStructure(bytes: Uint8Array, timeoutMs: number, probe: TensorMap[] | undefined): Promise<StructureCheck> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modelship-check-'));
  try {
    const file = path.join(dir, 'model.onnx');
    await writeFile(file, bytes);
    const probeFile = probe ? path.join(dir, 'probe.json') : undefined;
    if (probeFile) await writeFile(probeFile, JSON.stringify(encodeBundleRuns(probe as TensorMap[])));
    return await runPythonTool('check', { model: file, probeInputs: probeFile }, checkResponse, { timeoutMs, crashType: 'ModelUnloadable' });
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

function firstDim(tensors: TensorMap): number {
  return (Object.values(tensors)[0]?.shape[0] as number | undefined) ?? 0;
}

function fmt(v: number | null): string {
  if (v === null) return '∞/NaN';
  return Number.isFinite(v) ? (Math.abs(v) >= 0.01 || v === 0 ? v.toFixed(4) : v.toExponential(2)) : String(v);
}
