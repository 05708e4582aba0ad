/**
 * checkReturnTarget (activities/rollout/returnTarget.ts) on a version with a pick per target: a
 * rollback or re-release routes the gpu pick too, so a gpu pick gone from the store is refused before
 * anything changes, like the version's own artifact. Over a real filesystem store.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkReturnTarget } from '../../activities/rollout/returnTarget';
import { FsArtifactStore, putModel, storeKeys, writeDocument, type ArtifactStore } from '../../store';

const io = { inputs: [{ name: 'x', datatype: 'FP32' as const, shape: [-1, 4] }], outputs: [{ name: 'y', datatype: 'FP32' as const, shape: [-1, 3] }] };

async function putWithMetadata(store: ArtifactStore, fill: number) {
  const artifact = await putModel(store, Buffer.alloc(64, fill), 'onnx');
  await writeDocument(store, storeKeys.modelMetadata(artifact.digest), {
    digest: artifact.digest,
    format: 'onnx',
    sizeBytes: 64,
    io,
    lineage: { pass: 'convert' },
  });
  return artifact;
}

test('a version whose gpu pick is gone from the store is refused, naming the pick; with the pick there it can serve again', async () => {
  const store = new FsArtifactStore(await mkdtemp(path.join(tmpdir(), 'return-target-')));
  const [cpuPick, gpuPick] = [await putWithMetadata(store, 1), await putWithMetadata(store, 2)];
  const target = { version: 'v1', digest: cpuPick.digest, picks: { gpu: { digest: gpuPick.digest } } };

  expect(await checkReturnTarget(store, { target, ioRule: 'inputs' })).toEqual({ io });

  await store.delete(gpuPick.key);
  expect(await checkReturnTarget(store, { target, ioRule: 'inputs' })).toEqual({
    refusal: {
      type: 'ModelSourceUnreadable',
      reason: `the gpu pick of v1 (models/${gpuPick.digest}.onnx) is no longer in the store (collected or deleted): deploy v1 again from its source`,
    },
  });
  // Without picks (a version released before picks per target) only its artifact is checked.
  expect(await checkReturnTarget(store, { target: { version: 'v1', digest: cpuPick.digest }, ioRule: 'inputs' })).toEqual({ io });
});
