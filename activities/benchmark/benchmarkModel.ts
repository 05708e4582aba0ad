/** Benchmark: time session creation, first inference, then measured runs on fixed synthetic inputs. */
import { performance } from 'node:perf_hooks';
import type { BenchmarkReport, ModelArtifact } from '../../sdk/schemas';
import type { ActivityContext } from '../activityContext';
import { syntheticInputs, type ModelRuntime } from '../runtime';
import type { ArtifactStore } from '../store';
import { loadVerified } from '../validate/validateModel';
import { summarizeLatencies } from './latencyStats';

export interface BenchmarkInput {
  artifact: ModelArtifact;
  target: 'cpu';
  batchSize: number;
  warmupRuns: number;
  runs: number;
}

const HEARTBEAT_EVERY_MS = 1000;

export async function benchmarkModel(
  store: ArtifactStore,
  runtime: ModelRuntime,
  context: ActivityContext,
  input: BenchmarkInput,
): Promise<BenchmarkReport> {
  const bytes = await loadVerified(store, input.artifact.digest);

  const createStart = performance.now();
  const session = await runtime.load(bytes, { executionProviders: ['cpu'] });
  const sessionCreateMs = performance.now() - createStart;
  try {
    const feeds = syntheticInputs(session.signature.inputs, input.batchSize);
    const firstStart = performance.now();
    await session.run(feeds);
    const firstInferenceMs = performance.now() - firstStart;

    for (let i = 0; i < input.warmupRuns; i++) await session.run(feeds);

    const samples: number[] = [];
    let lastBeat = performance.now();
    const measureStart = performance.now();
    for (let i = 0; i < input.runs; i++) {
      const t0 = performance.now();
      await session.run(feeds);
      samples.push(performance.now() - t0);
      if (performance.now() - lastBeat > HEARTBEAT_EVERY_MS) {
        context.heartbeat({ phase: 'measure', done: i + 1, of: input.runs });
        lastBeat = performance.now();
      }
    }
    const elapsedSec = (performance.now() - measureStart) / 1000;

    return {
      digest: input.artifact.digest,
      target: input.target,
      runtime: session.runtime,
      batchSize: input.batchSize,
      warmupRuns: input.warmupRuns,
      runs: input.runs,
      sessionCreateMs,
      firstInferenceMs,
      latencyMs: summarizeLatencies(samples),
      throughputPerSec: elapsedSec > 0 ? (input.runs * input.batchSize) / elapsedSec : 0,
    };
  } finally {
    await session.release();
  }
}
