/**
 * Benchmark: every candidate for a target and the endpoint's stable version on this worker, in one
 * activity, loaded together and run interleaved on the same inputs (./interleavedRuns.ts), so the
 * candidates and stable see the same machine noise. Per model: session creation timed alone, then per
 * batch size the measurement; per candidate, its latency against stable's at the first batch size
 * (./stableComparison.ts), which the workflow's gate judges, and each optimized copy's against the fp32
 * conversion's the same way (`vsConversion`), which the selection may take as proof of a speed-up. A retried attempt measures everything
 * again: runs from different attempts (perhaps different workers) are not comparable. Sessions load as
 * the gateway serves them: operator threads spin only briefly before they sleep
 * ({@link SHARED_SESSION_SPIN_US}: with several sessions loaded, onnxruntime's default spin let the idle
 * ones' threads take the cores from the one running).
 */
import { performance } from 'node:perf_hooks';
import type { BatchMeasurement, BenchmarkReport, CandidateBenchmark, InputProfile, Target } from '../../sdk/schemas';
import type { ActivityContext } from '../activityContext';
import { rejection } from '../failures';
import { SHARED_SESSION_SPIN_US, type ModelRuntime, type ModelSession } from '../../runtime';
import { loadForTarget, NoExecutionProviderError } from '../../runtime/executionProviders';
import { digestFor } from '../../sdk/targetPicks';
import { stableVersion } from '../rollout/stableVersion';
import type { ArtifactStore } from '../../store';
import { loadVerified } from '../validate/validateCandidate';
import { measureInterleaved } from './interleavedRuns';
import { compareWithStable } from './stableComparison';

export interface BenchmarkInput {
  target: Target;
  candidates: { label: string; digest: string }[];
  /** The label of the candidate that is the fp32 conversion: every other candidate is compared with it (`vsConversion`). */
  conversion?: string;
  /** The stable version to measure with the candidates, as the workflow knows it; `null`: the endpoint has none. */
  stable?: { version: string; digest: string } | null;
  /** Workflows that do not send `stable`: read this endpoint's stable version from its routing. */
  baselineEndpoint?: string;
  batchSizes: number[];
  /** The model's input profile: what each run is fed (its typical shapes, the batch axis set to each batch size). */
  profile?: InputProfile;
  warmupRuns: number;
  windowRuns: number;
  stabilityTolerance: number;
  /** Per model and batch size. */
  budgetMs: number;
  /** Confidence level of each candidate's latency-ratio interval against stable (default 0.99). */
  confidence?: number;
}

interface Model {
  label: string;
  digest: string;
}

interface Loaded {
  model: Model;
  session: ModelSession;
  sessionCreateMs: number;
}

type Deps = { store: ArtifactStore; runtime: ModelRuntime; context: ActivityContext };

export async function benchmarkCandidates(deps: Deps, input: BenchmarkInput): Promise<BenchmarkReport> {
  const { context } = deps;
  const stable = await stableToMeasure(deps.store, input);
  // A candidate that is the stable artifact (a redeploy, or the fp32 copy of it) stands for stable: the same model is not measured twice.
  const asCandidate = stable ? input.candidates.findIndex((c) => c.digest === stable.digest) : -1;
  const loaded = await loadAll(deps, input.target, [...input.candidates, ...(stable && asCandidate < 0 ? [stable] : [])]);
  const stableAt = asCandidate >= 0 ? asCandidate : loaded.length - 1;
  let peakRss = process.memoryUsage().rss;
  try {
    const batches: BatchMeasurement[][] = loaded.map(() => []);
    const firstInferenceMs: number[] = [];
    let firstBatchSamples: number[][] = [];
    for (const [index, batchSize] of input.batchSizes.entries()) {
      const results = await measureInterleaved(
        loaded.map((l) => l.session),
        batchSize,
        input,
        (details) => {
          peakRss = Math.max(peakRss, process.memoryUsage().rss);
          context.heartbeat({ measuring: loaded.map((l) => l.model.label), ...details });
        },
      );
      for (const [i, r] of results.entries()) batches[i]?.push(r.measurement);
      if (index === 0) {
        firstInferenceMs.push(...results.map((r) => r.firstInferenceMs));
        firstBatchSamples = results.map((r) => r.samplesMs);
      }
    }
    const reports: CandidateBenchmark[] = loaded.map((l, i) => ({
      label: l.model.label,
      digest: l.model.digest,
      runtime: l.session.runtime,
      sessionCreateMs: l.sessionCreateMs,
      firstInferenceMs: firstInferenceMs[i] ?? 0,
      peakRssMb: peakRss / (1024 * 1024),
      batches: batches[i] ?? [],
    }));
    const batchSize = input.batchSizes[0] ?? 1;
    const confidence = input.confidence ?? 0.99;
    const candidates = withConversionComparisons(reports.slice(0, input.candidates.length), input.conversion, firstBatchSamples, batchSize, confidence);
    const baseline = stable ? { ...(reports[stableAt] as CandidateBenchmark), label: stable.label } : undefined;
    const stableSamples = firstBatchSamples[stableAt] ?? [];
    return {
      target: input.target,
      worker: context.workerIdentity,
      warmupRuns: input.warmupRuns,
      candidates,
      ...(baseline
        ? {
            baseline,
            comparisons: candidates.map((c, i) =>
              compareWithStable({ label: c.label, digest: c.digest, batchSize }, stableSamples, firstBatchSamples[i] ?? [], confidence),
            ),
          }
        : {}),
    };
  } finally {
    await Promise.all(loaded.map((l) => l.session.release()));
  }
}

/**
 * Every candidate but the fp32 conversion (labelled `conversion`) with its latency against the
 * conversion's, from the same rounds at the first batch size; unchanged without a conversion.
 */
function withConversionComparisons(
  candidates: CandidateBenchmark[],
  conversion: string | undefined,
  firstBatchSamples: readonly number[][],
  batchSize: number,
  confidence: number,
): CandidateBenchmark[] {
  const at = candidates.findIndex((c) => c.label === conversion);
  const conversionSamples = firstBatchSamples[at];
  if (at < 0 || !conversionSamples) return candidates;
  return candidates.map((c, i) =>
    i === at
      ? c
      : { ...c, vsConversion: compareWithStable({ label: c.label, digest: c.digest, batchSize }, conversionSamples, firstBatchSamples[i] ?? [], confidence) },
  );
}

/**
 * The stable version as a model to measure: as the workflow handed it over (its pick for this
 * target already), else from the routing (if the endpoint exists), as this target's replicas serve it
 * (its pick for the target, else its `digest`).
 */
async function stableToMeasure(store: ArtifactStore, input: BenchmarkInput): Promise<Model | undefined> {
  if (input.stable !== undefined) return input.stable ? { label: `stable ${input.stable.version}`, digest: input.stable.digest } : undefined;
  const routed = input.baselineEndpoint ? await stableVersion(store, input.baselineEndpoint) : undefined;
  return routed ? { label: `stable ${routed.version}`, digest: digestFor(routed, input.target) } : undefined;
}

/** Loads every model (session creation timed alone); releases what loaded if one fails. */
async function loadAll(deps: Deps, target: Target, models: Model[]): Promise<Loaded[]> {
  const loaded: Loaded[] = [];
  try {
    for (const model of models) {
      const bytes = await loadVerified(deps.store, model.digest);
      const start = performance.now();
      const session = await loadForTarget(deps.runtime, bytes, target, { spinMicroseconds: SHARED_SESSION_SPIN_US });
      loaded.push({ model, session, sessionCreateMs: performance.now() - start });
      deps.context.heartbeat({ loaded: loaded.length, of: models.length });
    }
    return loaded;
  } catch (error) {
    await Promise.all(loaded.map((l) => l.session.release()));
    if (error instanceof NoExecutionProviderError) throw rejection('NoGpuExecutionProvider', error.message);
    throw error;
  }
}
