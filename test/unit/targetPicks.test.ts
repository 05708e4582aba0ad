/** Picks per target: what a release serves on CPU and GPU replicas, what each replica loads, and the check that each replica loaded its target's pick. */
import { targetDigestMismatches } from '../../activities/rollout/targetDigests';
import type { ModelArtifact, ReplicaStatus, RoutingDocument, Target } from '../../sdk/schemas';
import { digestFor, routedPicks, routingFor, servedArtifacts } from '../../sdk/targetPicks';

const artifact = (fill: string): ModelArtifact => ({ digest: fill.repeat(64), key: `models/${fill.repeat(64)}.onnx`, sizeBytes: 10, format: 'onnx' });
const [fp32, int8, fp16] = [artifact('a'), artifact('b'), artifact('c')];
const picks = (entries: [Target, ModelArtifact][]) => new Map(entries);

test('with a cpu target, CPU replicas serve the cpu pick and GPU replicas the gpu pick', () => {
  const served = servedArtifacts(
    ['cpu', 'gpu'],
    picks([
      ['cpu', int8],
      ['gpu', fp16],
    ]),
    fp32,
  );
  expect(served.artifact).toBe(int8);
  expect(served.picks).toEqual({ gpu: { digest: fp16.digest, key: fp16.key, sizeBytes: 10 } });
  expect(routedPicks(served.picks)).toEqual({ gpu: { digest: fp16.digest } });
});

test('without a cpu target, CPU replicas serve the fp32 conversion (never a GPU-only copy), GPU replicas the gpu pick', () => {
  expect(servedArtifacts(['gpu'], picks([['gpu', fp16]]), fp32)).toEqual({
    artifact: fp32,
    picks: { gpu: { digest: fp16.digest, key: fp16.key, sizeBytes: 10 } },
  });
  // No fp32 copy to fall back on (a workflow of its own): the first target's pick serves everywhere, as before.
  expect(servedArtifacts(['gpu'], picks([['gpu', fp16]]), undefined).artifact).toBe(fp16);
});

test('a cpu-only pipeline carries no picks: its routing is what it was', () => {
  expect(servedArtifacts(['cpu'], picks([['cpu', int8]]), fp32)).toEqual({ artifact: int8 });
  expect(routedPicks(undefined)).toBeUndefined();
});

const routing: RoutingDocument = {
  endpoint: 'e',
  generation: 4,
  versions: [
    { version: 'v2', digest: int8.digest, weight: 90, picks: { gpu: { digest: fp16.digest } } },
    { version: 'v1', digest: fp32.digest, weight: 10 },
  ],
  shadow: { version: 'v3', digest: fp32.digest, percent: 5, picks: { gpu: { digest: int8.digest } } },
};

test('each replica loads its target pick of every version and shadow, else the version digest', () => {
  expect(digestFor(routing.versions[0] as RoutingDocument['versions'][0], 'gpu')).toBe(fp16.digest);
  expect(digestFor(routing.versions[0] as RoutingDocument['versions'][0], 'cpu')).toBe(int8.digest);
  expect(routingFor(routing, 'cpu')).toBe(routing);
  const gpu = routingFor(routing, 'gpu');
  expect(gpu.versions.map((v) => v.digest)).toEqual([fp16.digest, fp32.digest]);
  expect(gpu.shadow?.digest).toBe(int8.digest);
  expect(gpu.versions.map((v) => v.weight)).toEqual([90, 10]);
});

test('verification names a replica that loaded another artifact than its target pick; older replicas are not judged', () => {
  const replica = (replicaId: string, target: Target | undefined, loaded: string | undefined): ReplicaStatus => ({
    replicaId,
    url: 'http://127.0.0.1:1',
    startedAt: '',
    heartbeatAt: '',
    heartbeatIntervalMs: 1000,
    endpoints: { e: { generation: 4, ...(loaded ? { digests: { v2: loaded } } : {}) } },
    ...(target ? { target } : {}),
  });
  const right = [replica('c', 'cpu', int8.digest), replica('g', 'gpu', fp16.digest), replica('old', undefined, undefined)];
  expect(targetDigestMismatches(routing, 'v2', right)).toEqual([]);
  expect(targetDigestMismatches(routing, 'v2', [replica('g', 'gpu', int8.digest)])).toEqual([
    `g (gpu) serves v2 from ${int8.digest}, not its gpu pick ${fp16.digest}`,
  ]);
});
