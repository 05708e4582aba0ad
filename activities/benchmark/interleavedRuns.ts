/**
 * Measuring several loaded models at one batch size with their runs interleaved: a round gives every
 * model a turn of a few consecutive runs on the same inputs (round-robin from a start that rotates each
 * round, ./roundOrder.ts, so none always runs first), so timing noise from the machine falls on all of
 * them alike, while each run is measured as serving runs it: after the model's own previous run. First
 * inference timed alone, discarded warm-up runs, then windows of rounds until each model's last three
 * windows agree within the tolerance (throughput and p99) or the budget ends — then a model's result is
 * marked unstable. A run's time is the model's own (`session.run` timed inside its instance thread),
 * not the hop to and from the thread.
 */
import type { BatchMeasurement, InputProfile } from '../../sdk/schemas';
import { profileFeeds, runTimed, type ModelSession } from '../../runtime';
import { evenlySpaced, summarizeLatencies } from './latencyStats';
import { roundRuns } from './roundOrder';

export interface RunSettings {
  /** Discarded runs per model (whole rounds: at least this many). */
  warmupRuns: number;
  /** Runs per model in a window (whole rounds: at least this many). */
  windowRuns: number;
  /** Consecutive runs of a model in its turn of a round (default {@link RUNS_PER_TURN}). */
  runsPerTurn?: number;
  stabilityTolerance: number;
  /** Per model: the windows of all models together may take this times the number of models. */
  budgetMs: number;
  /** The model's input profile: what each run is fed (its typical shapes, the batch axis set to the batch size). */
  profile?: InputProfile;
}

export interface InterleavedResult {
  firstInferenceMs: number;
  measurement: BatchMeasurement;
  /** Every measured run's latency, in round order (the same rounds for every model). */
  samplesMs: number[];
}

interface Window {
  throughput: number;
  p99: number;
  samples: number[];
}

const REPORT_SAMPLES = 200;
/** A model's consecutive runs per turn: enough that most runs follow the model's own, few enough that turns still interleave finely. */
export const RUNS_PER_TURN = 4;
const SEED = 1234;

/** Measures `sessions` at `batchSize`, interleaved; `beat` is called after each window. */
export async function measureInterleaved(
  sessions: readonly ModelSession[],
  batchSize: number,
  settings: RunSettings,
  beat: (details: { batchSize: number; windows: number }) => void,
): Promise<InterleavedResult[]> {
  const feeds = sessions.map((s) => profileFeeds(s.signature.inputs, settings.profile, { batchSize, seed: SEED }));
  const firstInferenceMs: number[] = [];
  for (const [i, session] of sessions.entries()) {
    firstInferenceMs.push((await runTimed(session, feeds[i] as (typeof feeds)[number])).runMs);
  }
  const runsPerTurn = Math.max(1, settings.runsPerTurn ?? RUNS_PER_TURN);
  const round = async (index: number, record?: (model: number, ms: number) => void): Promise<void> => {
    for (const i of roundRuns(index, sessions.length, runsPerTurn)) {
      const { runMs } = await runTimed(sessions[i] as ModelSession, feeds[i] as (typeof feeds)[number]);
      record?.(i, runMs);
    }
  };
  for (let r = 0; r < roundsFor(settings.warmupRuns, runsPerTurn); r++) await round(r);

  const windows: Window[][] = sessions.map(() => []);
  const deadline = performance.now() + settings.budgetMs * sessions.length;
  let rounds = 0;
  const allAgree = () => windows.every((w) => lastThreeAgree(w, settings.stabilityTolerance));
  while (!allAgree() && performance.now() < deadline) {
    const samples: number[][] = sessions.map(() => []);
    for (let r = 0; r < roundsFor(settings.windowRuns, runsPerTurn); r++) await round(rounds++, (i, ms) => samples[i]?.push(ms));
    for (const [i, s] of samples.entries()) {
      const seconds = s.reduce((a, b) => a + b, 0) / 1000;
      windows[i]?.push({ throughput: seconds > 0 ? (s.length * batchSize) / seconds : 0, p99: summarizeLatencies(s).p99, samples: s });
    }
    beat({ batchSize, windows: windows[0]?.length ?? 0 });
  }
  return windows.map((w, i) => ({
    firstInferenceMs: firstInferenceMs[i] as number,
    measurement: summarize(w, batchSize, settings),
    samplesMs: w.flatMap((x) => x.samples),
  }));
}

/** Rounds that give each model at least `runs` runs. */
export function roundsFor(runs: number, runsPerTurn: number): number {
  return Math.ceil(runs / Math.max(1, runsPerTurn));
}

/** One model's windows as a measurement: the agreeing three (or, if unstable, everything measured). */
function summarize(windows: Window[], batchSize: number, settings: RunSettings): BatchMeasurement {
  const stable = lastThreeAgree(windows, settings.stabilityTolerance);
  const used = stable ? windows.slice(-3) : windows;
  const all = used.flatMap((w) => w.samples);
  const totalSeconds = all.reduce((a, b) => a + b, 0) / 1000;
  return {
    batchSize,
    latencyMs: summarizeLatencies(all),
    throughputPerSec: totalSeconds > 0 ? (all.length * batchSize) / totalSeconds : 0,
    runs: all.length,
    windows: windows.length,
    stable,
    samplesMs: evenlySpaced(all, REPORT_SAMPLES).map((v) => Math.round(v * 1000) / 1000),
  };
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
