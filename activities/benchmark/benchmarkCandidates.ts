/**
 * Benchmark: every candidate for a target (and the endpoint's stable version, for a fair ratio) on
 * this worker, in one activity. Per model: session creation and first inference timed alone, at
 * least 10 discarded warm-up runs, then measurement windows per batch size until the last three
 * agree within the tolerance (throughput and p99) or the budget ends — then the result is marked
 * unstable. Heartbeats carry finished models, so a retried attempt resumes where the last stopped.
 */
import { performance } from 'node:perf_hooks';
import type { BatchMeasurement, BenchmarkReport, CandidateBenchmark, InputProfile, Target } from '../../sdk/schemas';
import type { ActivityContext } from '../activityContext';
import { rejection } from '../failures';
import { profileFeeds, type ModelRuntime } from '../../runtime';
import { loadForTarget, NoExecutionProviderError } from '../../runtime/executionProviders';
import { stableVersion } from '../rollout/stableVersion';
import type { ArtifactStore } from '../../store';
import { loadVerified } from '../validate/validateCandidate';
import { summarizeLatencies } from './latencyStats';

export interface BenchmarkInput {
  target: Target;
  candidates: { label: string; digest: string }[];
  /** Measure this endpoint's stable version alongside, for the regression gate. */
  baselineEndpoint?: string;
  batchSizes: number[];
  /** The model's input profile: what each run is fed (its typical shapes, the batch axis set to each batch size). */
  profile?: InputProfile;
  warmupRuns: number;
  windowRuns: number;
  stabilityTolerance: number;
  /** Per model and batch size. */
  budgetMs: number;
}

interface Progress {
  done: CandidateBenchmark[];
}

const REPORT_SAMPLES = 200;
const SEED = 1234;

export async function benchmarkCandidates(
  deps: { store: ArtifactStore; runtime: ModelRuntime; context: ActivityContext },
  input: BenchmarkInput,
): Promise<BenchmarkReport> {
  const { context } = deps;
  const resumed = (context.heartbeatDetails as Progress | undefined)?.done ?? [];
  const done: CandidateBenchmark[] = [...resumed];
  const baseline = input.baselineEndpoint ? await baselineOf(deps.store, input.baselineEndpoint) : undefined;
  const models = [...input.candidates, ...(baseline ? [baseline] : [])];
  for (const model of models) {
    if (done.some((d) => d.label === model.label && d.digest === model.digest)) continue;
    done.push(await measure(deps, input, model, (details) => context.heartbeat({ done, current: model.label, ...details })));
    context.heartbeat({ done } satisfies Progress);
  }
  const find = (m: { label: string; digest: string }) => done.find((d) => d.label === m.label && d.digest === m.digest) as CandidateBenchmark;
  return {
    target: input.target,
    worker: context.workerIdentity,
    warmupRuns: input.warmupRuns,
    candidates: input.candidates.map(find),
    ...(baseline ? { baseline: find(baseline) } : {}),
  };
}

async function measure(
  deps: { store: ArtifactStore; runtime: ModelRuntime },
  input: BenchmarkInput,
  model: { label: string; digest: string },
  beat: (details: object) => void,
): Promise<CandidateBenchmark> {
  const bytes = await loadVerified(deps.store, model.digest);
  let peakRss = process.memoryUsage().rss;
  const createStart = performance.now();
  let session;
  try {
    session = await loadForTarget(deps.runtime, bytes, input.target);
  } catch (error) {
    if (error instanceof NoExecutionProviderError) throw rejection('NoGpuExecutionProvider', error.message);
    throw error;
  }
  const sessionCreateMs = performance.now() - createStart;
  try {
    const batches: BatchMeasurement[] = [];
    let firstInferenceMs = 0;
    for (const [index, batchSize] of input.batchSizes.entries()) {
      const feeds = profileFeeds(session.signature.inputs, input.profile, { batchSize, seed: SEED });
      const firstStart = performance.now();
      await session.run(feeds);
      if (index === 0) firstInferenceMs = performance.now() - firstStart;
      for (let i = 0; i < input.warmupRuns; i++) await session.run(feeds);

      const windows: { throughput: number; p99: number; samples: number[] }[] = [];
      const deadline = performance.now() + input.budgetMs;
      let stable = false;
      while (!stable && performance.now() < deadline) {
        const samples: number[] = [];
        const windowStart = performance.now();
        for (let i = 0; i < input.windowRuns; i++) {
          const t0 = performance.now();
          await session.run(feeds);
          samples.push(performance.now() - t0);
        }
        const seconds = (performance.now() - windowStart) / 1000;
        windows.push({ throughput: (input.windowRuns * batchSize) / seconds, p99: summarizeLatencies(samples).p99, samples });
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        stable = lastThreeAgree(windows, input.stabilityTolerance);
        beat({ batchSize, windows: windows.length });
      }
      // Report the agreeing windows (or, if unstable, everything measured).
      const used = stable ? windows.slice(-3) : windows;
      const all = used.flatMap((w) => w.samples);
      const totalSeconds = used.reduce((s, w) => s + (input.windowRuns * batchSize) / w.throughput, 0);
      batches.push({
        batchSize,
        latencyMs: summarizeLatencies(all),
        throughputPerSec: totalSeconds > 0 ? (used.length * input.windowRuns * batchSize) / totalSeconds : 0,
        runs: all.length,
        windows: windows.length,
        stable,
        samplesMs: thin(all, REPORT_SAMPLES),
      });
    }
    return {
      label: model.label,
      digest: model.digest,
      runtime: session.runtime,
      sessionCreateMs,
      firstInferenceMs,
      peakRssMb: peakRss / (1024 * 1024),
      batches,
    };
  } finally {
    await session.release();
  }
}

/** The endpoint's stable version as a model to measure, if the endpoint exists. */
async function baselineOf(store: ArtifactStore, endpoint: string): Promise<{ label: string; digest: string } | undefined> {
  const stable = await stableVersion(store, endpoint);
  return stable ? { label: `stable ${stable.version}`, digest: stable.digest } : undefined;
}

/** The last three windows agree within `tolerance` (relative to their mean) on throughput and p99. */
export function lastThreeAgree(windows: readonly { throughput: number; p99: number }[], tolerance: number): boolean {
  if (windows.length < 3) return false;
  const last = windows.slice(-3);
  const within = (values: number[]): boolean => {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    return values.every((v) => Math.abs(v - mean) <= tolerance * mean);
  };
  return within(last.map((w) => w.throughput)) && within(last.map((w) => w.p99));
}

/** At most `n` samples, evenly spaced. */
function thin(samples: number[], n: number): number[] {
  if (samples.length <= n) return samples.map((s) => Math.round(s * 1000) / 1000);
  const step = samples.length / n;
  return Array.from({ length: n }, (_, i) => Math.round((samples[Math.floor(i * step)] as number) * 1000) / 1000);
}
