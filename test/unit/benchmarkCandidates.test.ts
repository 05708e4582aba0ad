import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { standaloneContext } from '../../activities/activityContext';
import { benchmarkCandidates } from '../../activities/benchmark/benchmarkCandidates';
import { SHARED_SESSION_SPIN_US, type ModelRuntime, type ModelSession, type SessionOptions, type TensorMap } from '../../runtime';
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

/** A runtime whose sessions take `msFor(first byte of the model)` per run, with a little jitter so runs differ. */
function timedRuntime(msFor: (byte: number) => number): ModelRuntime {
  return {
    version: 'fake',
    load: async (bytes: Uint8Array): Promise<ModelSession> => {
      let runs = 0;
      const ms = msFor(bytes[0] ?? 0);
      return {
        signature: { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 2] }] },
        runtime: { ortVersion: 'fake', executionProvider: 'cpu', intraOpThreads: 0 },
        run: async (feeds: TensorMap) => feeds,
        runTimed: async (feeds: TensorMap) => ({ outputs: feeds, runMs: ms * (1 + 0.01 * (runs++ % 5)) }),
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
    for (const options of loads) expect(options.spinMicroseconds).toBe(SHARED_SESSION_SPIN_US);
    expect(report.candidates.map((c) => c.batches[0]?.runs)).toEqual([24, 24]);
  });

  it('compares every optimized copy with the fp32 conversion named in the input, from the same rounds', async () => {
    const store = new FsArtifactStore(dir);
    const [fp32, int8, graph] = [
      await putModel(store, new Uint8Array([1]), 'onnx'),
      await putModel(store, new Uint8Array([2]), 'onnx'),
      await putModel(store, new Uint8Array([3]), 'onnx'),
    ];
    const input = {
      target: 'cpu' as const,
      candidates: [
        { label: 'fp32', digest: fp32.digest },
        { label: 'int8', digest: int8.digest },
        { label: 'graph', digest: graph.digest },
      ],
      stable: null,
      batchSizes: [1, 4],
      warmupRuns: 4,
      windowRuns: 20,
      stabilityTolerance: 0.1,
      budgetMs: 1000,
      confidence: 0.95,
    };
    const deps = { store, runtime: timedRuntime((byte) => [0, 2, 0.9, 2][byte] ?? 1), context: standaloneContext() };
    const report = await benchmarkCandidates(deps, { ...input, conversion: 'fp32' });
    const [base, fast, same] = report.candidates;
    expect(base?.vsConversion).toBeUndefined();
    expect(fast?.vsConversion).toMatchObject({ label: 'int8', digest: int8.digest, batchSize: 1, samples: 60, confidence: 0.95, stableMedianMs: 2.04 });
    expect(fast?.vsConversion?.ratio).toBeCloseTo(0.45, 2);
    expect(fast?.vsConversion?.ratioHigh).toBeLessThan(0.5);
    expect(same?.vsConversion?.ratioLow).toBeLessThanOrEqual(1);
    expect(same?.vsConversion?.ratioHigh).toBeGreaterThanOrEqual(1);
    // Without the conversion's label (older workflows), nothing is compared.
    const unnamed = await benchmarkCandidates(deps, input);
    expect(unnamed.candidates.map((c) => c.vsConversion)).toEqual([undefined, undefined, undefined]);
  });
});
