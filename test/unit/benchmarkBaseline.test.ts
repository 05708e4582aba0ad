/**
 * Which artifact the benchmark measures as the stable version when the workflow does not hand it
 * over (a deployment without an admitting endpoint: the routing is read): on each target, the stable
 * version as that target's replicas serve it — on GPU workers its gpu pick, on CPU workers its
 * `digest`. Over a real filesystem store; the runtime loads nothing (only which artifact is measured matters).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { standaloneContext } from '../../activities/activityContext';
import { benchmarkCandidates } from '../../activities/benchmark/benchmarkCandidates';
import { writeRouting } from '../../activities/rollout/releaseVersion';
import type { ModelRuntime } from '../../runtime';
import type { Target } from '../../sdk/schemas';
import { FsArtifactStore, putModel } from '../../store';

const nothing: ModelRuntime = {
  version: 'none',
  load: () =>
    Promise.resolve({
      signature: { inputs: [], outputs: [] },
      runtime: { ortVersion: 'none', executionProvider: 'none', intraOpThreads: 0 },
      run: () => Promise.resolve({}),
      release: () => Promise.resolve(),
    }),
};

test('without a handed-over stable version, each target measures the routed stable version as its replicas serve it', async () => {
  const store = new FsArtifactStore(await mkdtemp(path.join(tmpdir(), 'benchmark-baseline-')));
  const model = (fill: number) => putModel(store, Buffer.alloc(64 * fill, fill), 'onnx');
  const [cpuPick, gpuPick, candidate] = [await model(1), await model(2), await model(3)];
  await writeRouting(store, 'baseline', 'test', [{ version: 'v1', digest: cpuPick.digest, weight: 100, picks: { gpu: { digest: gpuPick.digest } } }]);
  const baselineOn = async (target: Target) => {
    const report = await benchmarkCandidates(
      { store, runtime: nothing, context: standaloneContext() },
      {
        target,
        candidates: [{ label: 'fp16', digest: candidate.digest }],
        baselineEndpoint: 'baseline',
        batchSizes: [1],
        warmupRuns: 1,
        windowRuns: 3,
        stabilityTolerance: 1,
        budgetMs: 50,
      },
    );
    return { label: report.baseline?.label, digest: report.baseline?.digest, compared: report.comparisons?.[0]?.label };
  };
  expect(await baselineOn('gpu')).toEqual({ label: 'stable v1', digest: gpuPick.digest, compared: 'fp16' });
  expect(await baselineOn('cpu')).toEqual({ label: 'stable v1', digest: cpuPick.digest, compared: 'fp16' });
});
