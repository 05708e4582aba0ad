import { measureInterleaved, roundsFor } from '../../activities/benchmark/interleavedRuns';
import type { ModelSession, TensorMap } from '../../runtime';

/** A session that takes `ms` per run and logs which model ran, in order. */
function fakeSession(model: number, ms: number, log: number[]): ModelSession {
  return {
    signature: { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 4] }] },
    runtime: { ortVersion: 'fake', executionProvider: 'cpu', intraOpThreads: 1 },
    run: async (feeds: TensorMap) => feeds,
    runTimed: async (feeds: TensorMap) => {
      log.push(model);
      return { outputs: feeds, runMs: ms };
    },
    release: async () => undefined,
  };
}

const settings = { warmupRuns: 3, windowRuns: 5, runsPerTurn: 4, stabilityTolerance: 0.1, budgetMs: 10_000 };

describe('measureInterleaved', () => {
  it('runs each model in turns of consecutive runs, rotating which goes first', async () => {
    const log: number[] = [];
    await measureInterleaved([fakeSession(0, 1, log), fakeSession(1, 2, log)], 1, settings, () => undefined);
    // first inference of each, one warm-up round (3 runs → 1 round of 4), then the window rounds
    expect(log.slice(0, 2)).toEqual([0, 1]);
    expect(log.slice(2, 10)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(log.slice(10, 26)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
  });

  it('measures at least windowRuns per model in a window, in whole rounds, the same for every model', async () => {
    const log: number[] = [];
    const results = await measureInterleaved([fakeSession(0, 1, log), fakeSession(1, 2, log)], 1, settings, () => undefined);
    // steady fake timings agree at once: three windows of 2 rounds × 4 runs
    for (const r of results) {
      expect(r.measurement.stable).toBe(true);
      expect(r.measurement.windows).toBe(3);
      expect(r.samplesMs).toHaveLength(3 * 8);
    }
    expect(results.map((r) => r.measurement.latencyMs.p50)).toEqual([1, 2]);
  });

  it('counts rounds per window from runs per model', () => {
    expect(roundsFor(5, 4)).toBe(2);
    expect(roundsFor(8, 4)).toBe(2);
    expect(roundsFor(30, 1)).toBe(30);
    expect(roundsFor(30, 0)).toBe(30);
  });
});
