import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { standaloneContext } from '../../activities/activityContext';
import { benchmarkCandidates } from '../../activities/benchmark/benchmarkCandidates';
import type { ModelRuntime, ModelSession, SessionOptions, TensorMap } from '../../runtime';
import { FsArtifactStore, putModel } from '../../store';

/** A runtime whose sessions answer at once; it keeps the options each load was given. */
function recordingRuntime(loads: SessionOptions[]): ModelRuntime {
  return {
    version: 'fake',
    load: async (_bytes: Uint8Array, options: SessionOptions = {}): Promise<ModelSession> => {
      loads.push(options);
      return {
        signature: { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 2] }] },
        runtime: { ortVersion: 'fake', executionProvider: 'cpu', intraOpThreads: 0 },
        run: async (feeds: TensorMap) => feeds,
        runTimed: async (feeds: TensorMap) => ({ outputs: feeds, runMs: 1 }),
        release: async () => undefined,
      };
    },
  };
}

describe('benchmarkCandidates', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'modelship-bench-candidates-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('loads every model as the gateway serves it: operator threads that do not spin when idle', async () => {
    const store = new FsArtifactStore(dir);
    const a = await putModel(store, new Uint8Array([1, 2, 3]), 'onnx');
    const b = await putModel(store, new Uint8Array([4, 5, 6]), 'onnx');
    const loads: SessionOptions[] = [];
    const report = await benchmarkCandidates(
      { store, runtime: recordingRuntime(loads), context: standaloneContext() },
      {
        target: 'cpu',
        candidates: [
          { label: 'fp32', digest: a.digest },
          { label: 'int8', digest: b.digest },
        ],
        stable: null,
        batchSizes: [1],
        warmupRuns: 4,
        windowRuns: 8,
        stabilityTolerance: 0.1,
        budgetMs: 1000,
      },
    );
    expect(loads).toHaveLength(2);
    for (const options of loads) expect(options.allowSpinning).toBe(false);
    expect(report.candidates.map((c) => c.batches[0]?.runs)).toEqual([24, 24]);
  });
});
