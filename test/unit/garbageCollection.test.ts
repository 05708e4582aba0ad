/**
 * Garbage collection over a real filesystem store: what routing, replicas and promoted deployments
 * reference (and their models' lineage) is kept forever; what a rejected deployment left is deleted
 * once older than the grace period, never before; other documents are never touched; the models of
 * the versions an endpoint keeps (`endpoints/<name>/versions.json`) are kept without any report;
 * drift baselines and check results stay.
 */
import { mkdtemp, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeKeptVersions } from '../../activities/rollout/keptVersions';
import { collectGarbage, FsArtifactStore, storeKeys, writeDocument } from '../../store';

const digest = (c: string): string => c.repeat(64);
const HOUR = 3_600_000;

async function populatedStore(): Promise<FsArtifactStore> {
  const store = new FsArtifactStore(await mkdtemp(path.join(os.tmpdir(), 'modelship-gc-')));
  const put = (key: string) => store.put(key, Buffer.from(key));
  // v2 serves (routing); made from parent e by a pass, from source s1 with golden bundle g1.
  await writeDocument(store, storeKeys.routing('ep'), { endpoint: 'ep', generation: 3, versions: [{ version: 'v2', digest: digest('a'), weight: 100 }] });
  await put(storeKeys.model(digest('a')));
  await writeDocument(store, storeKeys.modelMetadata(digest('a')), { digest: digest('a'), lineage: { parentDigest: digest('e'), pass: 'int8' } });
  await put(storeKeys.model(digest('e')));
  await writeDocument(store, storeKeys.modelMetadata(digest('e')), {
    digest: digest('e'),
    lineage: { pass: 'convert', goldenDigest: digest('9'), parameters: { sourceKey: storeKeys.source(digest('1'), '.pt2') } },
  });
  await put(storeKeys.source(digest('1'), '.pt2'));
  await put(storeKeys.tensorBundle(digest('9')));
  // v1 was promoted before (an operator may roll back to it): its report records no failure.
  await writeDocument(store, storeKeys.report('ep', 'v1', 'json'), {
    version: 'v1',
    artifact: { digest: digest('b') },
    source: { key: storeKeys.source(digest('2'), '') },
  });
  await put(storeKeys.model(digest('b')));
  await put(storeKeys.source(digest('2'), ''));
  // v3 was rejected: its report names its source, candidate and bundle, but records a failure.
  await writeDocument(store, storeKeys.report('ep', 'v3', 'json'), {
    version: 'v3',
    failure: { type: 'ModelValidationFailed', stage: 'validate', message: 'parity' },
    source: { key: storeKeys.source(digest('3'), '.onnx') },
    candidates: [{ artifact: { digest: digest('c') } }],
    conversion: { goldenDigest: digest('8') },
  });
  await put(storeKeys.source(digest('3'), '.onnx'));
  await put(storeKeys.model(digest('c')));
  await writeDocument(store, storeKeys.modelValidation(digest('c')), { digest: digest('c'), passed: false });
  await put(storeKeys.tensorBundle(digest('8')));
  await put(storeKeys.quarantine(storeKeys.model(digest('d'))));
  // Drift monitoring's documents: a baseline and a check result (never swept, not read for references).
  await writeDocument(store, storeKeys.driftBaseline('ep'), { endpoint: 'ep', version: 'v2', rows: 0, features: [] });
  await writeDocument(store, storeKeys.driftCheck('ep', '2026-12-02T04:00:00.000Z'), { endpoint: 'ep', version: 'v2', verdict: 'ok' });
  return store;
}

const REJECTED = [
  storeKeys.model(digest('c')),
  storeKeys.modelValidation(digest('c')),
  storeKeys.source(digest('3'), '.onnx'),
  storeKeys.tensorBundle(digest('8')),
].sort();

test("a rejected deployment's artifacts are deleted after the grace period; promoted and routed ones, their lineage and other documents stay", async () => {
  const store = await populatedStore();
  const before = await store.list('');
  const report = await collectGarbage(store, { graceMs: HOUR, now: () => Date.now() + 2 * HOUR });
  expect(report.deleted.map((o) => o.key).sort()).toEqual(REJECTED);
  expect(report.freedBytes).toBe(report.deleted.reduce((sum, o) => sum + o.sizeBytes, 0));
  expect(report.referenced).toBe(8);
  expect(await store.list('')).toEqual(before.filter((key) => !REJECTED.includes(key)));
  // Collecting again finds nothing more: what is referenced is never collected, however old.
  expect((await collectGarbage(store, { graceMs: 0, now: () => Date.now() + 1000 * HOUR })).deleted).toEqual([]);
});

test('nothing younger than the grace period is deleted, referenced or not; a dry run deletes nothing', async () => {
  const store = await populatedStore();
  const before = await store.list('');
  const young = await collectGarbage(store, { graceMs: HOUR });
  expect(young.deleted).toEqual([]);
  expect(young.recent).toBe(REJECTED.length);
  const dry = await collectGarbage(store, { graceMs: HOUR, now: () => Date.now() + 2 * HOUR, dryRun: true });
  expect(dry.deleted.map((o) => o.key).sort()).toEqual(REJECTED);
  expect(await store.list('')).toEqual(before);
});

test('an artifact a new deployment reuses (touches) is not collected, however old it was', async () => {
  const store = await populatedStore();
  const twoHoursAgo = new Date(Date.now() - 2 * HOUR);
  for (const key of REJECTED) await utimes(path.join(fileURLToPath(store.uri), key), twoHoursAgo, twoHoursAgo);
  expect(await store.touch(storeKeys.source(digest('3'), '.onnx'))).toBe(true);
  const report = await collectGarbage(store, { graceMs: HOUR });
  expect(report.deleted.map((o) => o.key).sort()).toEqual(REJECTED.filter((key) => key !== storeKeys.source(digest('3'), '.onnx')));
});

test('the models of the versions an endpoint keeps (and aliases) survive a sweep without any report naming them', async () => {
  const store = await populatedStore();
  // v3 was rejected, yet the same artifact served as v0 long ago (and `champion` names it): the endpoint keeps it.
  await writeKeptVersions(store, {
    endpoint: 'ep',
    versions: [
      { version: 'v0', digest: digest('c') },
      { version: 'v2', digest: digest('a') },
    ],
    aliases: { champion: 'v0' },
  });
  const report = await collectGarbage(store, { graceMs: HOUR, now: () => Date.now() + 2 * HOUR });
  expect(report.deleted.map((o) => o.key)).not.toContain(storeKeys.model(digest('c')));
  expect(await store.exists(storeKeys.model(digest('c')))).toBe(true);
  expect(report.deleted.map((o) => o.key).sort()).toEqual(REJECTED.filter((key) => storeKeys.digestOf(key) !== digest('c')));
});
