/**
 * The replay gate before any traffic: the fp32 candidate and the endpoint's stable version answer
 * the same replay inputs (requests the gateway captured from the stable version's production traffic,
 * when there are any; this deployment's golden inputs; and the labelled evaluation set when the spec
 * has one); {@link compareOutputs} measures what differs, and a change beyond the thresholds
 * is a reason (`BehaviourChanged`) unless the spec accepts it. The stable version is the one the
 * endpoint handed the deployment, else the routing's; an optimized stable copy is represented by
 * the fp32 model it was made from (its own faithfulness was judged when it was made), so
 * quantization noise is not mistaken for a change of behaviour.
 */
import {
  modelMetadata,
  OPTIMIZATION_PASSES,
  type BehaviourDiff,
  type BehaviourGate,
  type ReplaySetBehaviour,
  type Target,
  type ValidationReport,
} from '../../sdk/schemas';
import { SHARED_SESSION_SPIN_US, type ModelRuntime, type ModelSession, type TensorMap } from '../../runtime';
import { loadForTarget } from '../../runtime/executionProviders';
import { getBundle, getBundleRuns } from '../../runtime/tensorBundle';
import { concatRuns } from '../../runtime/tensorRuns';
import { readCaptured } from '../../runtime/capturedTraffic';
import { mostCommonShape } from '../../runtime/capturedSamples';
import { readDocument, storeKeys, type ArtifactStore } from '../../store';
import { stableVersion } from '../rollout/stableVersion';
import { behaviourVerdict, compareOutputs } from './behaviourDiff';
import { accuracy, evaluationFeeds } from './evaluationSet';
import { scoreOutputOf } from './parity';

/** Captured requests replayed at most (rows, newest first; requests of the most common shape). */
const CAPTURED_REPLAY_ROWS = 512;

/** The gate's thresholds, and the stable version the endpoint handed over. */
export interface BehaviourInput extends BehaviourGate {
  /** The endpoint's stable version (`null`: it serves nothing yet); absent: read from the endpoint's routing. */
  stable?: { version: string; digest: string } | null;
}

export interface ReplayGateDeps {
  store: ArtifactStore;
  runtime: ModelRuntime;
  /** Reads a model, verifying its digest. */
  loadModel(digest: string): Promise<Uint8Array>;
}

/** What the gate needs of the validation input. */
export interface ReplayGateInput {
  artifact: { digest: string };
  target: Target;
  endpoint: string;
  scoreOutput?: string;
  goldenDigest?: string;
  evaluation?: { digest: string; labels: string };
  behaviour: BehaviourInput;
}

/** Compares the candidate with stable on the replay inputs; sets `report.behaviour`, and a reason when it is refused. */
export async function checkBehaviour(deps: ReplayGateDeps, input: ReplayGateInput, candidate: ModelSession, report: ValidationReport): Promise<void> {
  const diff = await behaviourAgainstStable(deps, input, candidate);
  report.behaviour = diff;
  if (!diff.passed) {
    report.reasons.push(
      `behaviour differs from stable ${diff.stable?.version}: ${diff.changes.join('; ')} (an intended change is accepted with stages.validate.behaviour.acceptChange)`,
    );
  }
}

async function behaviourAgainstStable(deps: ReplayGateDeps, input: ReplayGateInput, candidate: ModelSession): Promise<BehaviourDiff> {
  const gate = input.behaviour;
  if (!gate.enabled) return skipped('the behaviour gate is off (stages.validate.behaviour.enabled: false)');
  const stable = await resolveStable(deps.store, input);
  if (!stable) return skipped('no stable version to compare with (first deployment)');
  const comparedDigest = await fp32Of(deps.store, stable.digest);
  const known = { ...stable, comparedDigest };
  if (comparedDigest === input.artifact.digest) {
    return skipped(
      stable.digest === comparedDigest ? `the candidate is stable ${stable.version}'s artifact` : `stable ${stable.version} was made from this candidate`,
      known,
    );
  }
  const captured = mostCommonShape((await readCaptured(deps.store, input.endpoint, { version: stable.version, maxRows: CAPTURED_REPLAY_ROWS })).requests);
  if (!input.goldenDigest && !input.evaluation && captured.length === 0)
    return skipped('no replay inputs (no captured traffic, no golden inputs, no evaluation set)', known);
  if (!(await deps.store.exists(storeKeys.model(comparedDigest)))) return skipped(`stable ${stable.version}'s model is not in the store`, known);
  const session = await loadForTarget(deps.runtime, await deps.loadModel(comparedDigest), input.target, { spinMicroseconds: SHARED_SESSION_SPIN_US });
  try {
    if (!sameInputs(candidate, session)) return skipped(`the inputs differ from stable ${stable.version}'s: nothing to replay on both`, known);
    const { sets, measured, notes, failures } = await replay(
      deps.store,
      input,
      { candidate, stable: session },
      captured.map((r) => r.inputs),
    );
    return {
      status: 'compared',
      ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
      stable: known,
      sets,
      ...(measured ? { accuracy: measured } : {}),
      ...behaviourVerdict(sets, measured, gate, failures),
    };
  } finally {
    await session.release();
  }
}

/** Runs both models on each replay set and compares their answers, and their accuracy on the evaluation set. */
async function replay(store: ArtifactStore, input: ReplayGateInput, models: Pair<ModelSession>, captured: readonly TensorMap[]) {
  const scoreOutput = scoreOutputOf(models.candidate.signature.outputs, input.scoreOutput);
  const sets: ReplaySetBehaviour[] = [];
  const notes: string[] = [];
  const failures: string[] = [];
  let measured: BehaviourDiff['accuracy'];
  const compare = async (name: ReplaySetBehaviour['name'], runs: readonly TensorMap[]): Promise<Pair<TensorMap> | undefined> => {
    const answers = await runBoth(models, runs);
    if (typeof answers === 'string') notes.push(`${name} inputs not compared: ${answers}`);
    else if ('candidateFails' in answers) failures.push(`the candidate fails on ${name} inputs stable answers: ${answers.candidateFails}`);
    else {
      const samples = runs.reduce((n, feeds) => n + rows(feeds), 0);
      sets.push({ name, samples, outputs: compareOutputs(answers.candidate, answers.stable, scoreOutput, input.behaviour) });
    }
    return typeof answers === 'string' || 'candidateFails' in answers ? undefined : answers;
  };
  if (captured.length > 0) await compare('captured', captured);
  if (input.goldenDigest) await compare('golden', await getBundleRuns(store, input.goldenDigest));
  if (input.evaluation) {
    const { feeds, labels } = evaluationFeeds(await getBundle(store, input.evaluation.digest), input.evaluation.labels, models.candidate.signature.inputs);
    const answers = await compare('evaluation', [feeds]);
    const ofCandidate = answers && accuracy(answers.candidate, labels, scoreOutput);
    const ofStable = answers && accuracy(answers.stable, labels, scoreOutputOf(models.stable.signature.outputs, input.scoreOutput));
    if (ofCandidate !== undefined && ofStable !== undefined) {
      measured = { stable: ofStable, candidate: ofCandidate, drop: ofStable - ofCandidate, samples: labels.length };
    }
  }
  return { sets, measured, notes, failures };
}

function skipped(note: string, stable?: BehaviourDiff['stable']): BehaviourDiff {
  return { status: 'skipped', note, ...(stable ? { stable } : {}), sets: [], changes: [], passed: true };
}

/** The stable version the endpoint handed over, else the one that takes most of the routing's traffic. */
async function resolveStable(store: ArtifactStore, input: ReplayGateInput): Promise<{ version: string; digest: string } | undefined> {
  if (input.behaviour.stable !== undefined) return input.behaviour.stable ?? undefined;
  const routed = await stableVersion(store, input.endpoint);
  return routed && { version: routed.version, digest: routed.digest };
}

/** The fp32 model an optimized copy was made from (per its lineage), if it is in the store; else the model itself. */
async function fp32Of(store: ArtifactStore, digest: string): Promise<string> {
  const lineage = (await readDocument(store, storeKeys.modelMetadata(digest), modelMetadata))?.lineage;
  const parent = lineage?.parentDigest;
  const optimized = (OPTIMIZATION_PASSES as readonly string[]).includes(lineage?.pass ?? '');
  return optimized && parent && (await store.exists(storeKeys.model(parent))) ? parent : digest;
}

function sameInputs(a: ModelSession, b: ModelSession): boolean {
  const key = (s: ModelSession) =>
    s.signature.inputs
      .map((i) => `${i.name}:${i.datatype}`)
      .sort()
      .join(',');
  return key(a) === key(b);
}

/** The candidate's and stable's sides of a comparison. */
interface Pair<T> {
  candidate: T;
  stable: T;
}

/**
 * Both models' answers on the same runs of feeds (several runs: a fixed batch, shapes that vary),
 * each side's runs as one set. Inputs the stable version cannot answer leave nothing to compare (a
 * string: why); inputs it answers and the candidate cannot are a change of behaviour (`candidateFails`).
 */
async function runBoth(models: Pair<ModelSession>, runs: readonly TensorMap[]): Promise<Pair<TensorMap> | { candidateFails: string } | string> {
  const candidate: TensorMap[] = [];
  const stable: TensorMap[] = [];
  for (const feeds of runs) {
    try {
      stable.push(await models.stable.run(feeds));
    } catch (error) {
      return firstLine(error);
    }
    try {
      candidate.push(await models.candidate.run(feeds));
    } catch (error) {
      return { candidateFails: firstLine(error) };
    }
  }
  return { candidate: concatRuns(candidate), stable: concatRuns(stable) };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'failed';
}

function rows(feeds: TensorMap): number {
  return (Object.values(feeds)[0]?.shape[0] as number | undefined) ?? 0;
}
