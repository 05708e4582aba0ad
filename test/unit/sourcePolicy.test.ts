/** Where sources may come from and how large they may be: root checks, defaults, caps, messages. */
import path from 'node:path';
import { effectiveCap, isWithinRoots, outsideRootsMessage, sourcePolicyFromEnv } from '../../activities/ingest/sourcePolicy';
import { DEFAULT_MAX_MODEL_BYTES } from '../../sdk/sourceLimits';

test('a file is within a root when it is the root or under it, never beside it or above it', () => {
  const roots = ['/srv/models', '/data'];
  expect(isWithinRoots('/srv/models/a.onnx', roots)).toBe(true);
  expect(isWithinRoots('/srv/models/deep/er/a.onnx', roots)).toBe(true);
  expect(isWithinRoots('/data', roots)).toBe(true);
  expect(isWithinRoots('/srv/models-evil/a.onnx', roots)).toBe(false);
  expect(isWithinRoots('/srv/a.onnx', roots)).toBe(false);
  expect(isWithinRoots('/etc/passwd', roots)).toBe(false);
  expect(isWithinRoots('/srv/models/../../etc/passwd', ['/srv/models'])).toBe(false);
  expect(isWithinRoots('/etc/passwd', [])).toBe(false);
  expect(isWithinRoots('/srv/models/..hidden.onnx', roots)).toBe(true);
});

test('configured roots (colon-separated) replace the defaults; buckets add to the store bucket', () => {
  const policy = sourcePolicyFromEnv(
    { MODELSHIP_SOURCE_ROOTS: '/srv/models::/data/sets', MODELSHIP_SOURCE_BUCKETS: 'models, datasets' },
    { cwd: '/work/project', storeUri: 's3://store-bucket/prod' },
  );
  expect(policy.roots).toEqual(['/srv/models', '/data/sets']);
  expect(policy.buckets).toEqual(['models', 'datasets', 'store-bucket']);
});

test('by default: the working folder and the folder the worker was started from, never the filesystem root', () => {
  expect(sourcePolicyFromEnv({ PWD: '/home/me/project' }, { cwd: '/opt/modelship' }).roots).toEqual(['/opt/modelship', '/home/me/project']);
  expect(sourcePolicyFromEnv({ PWD: '/' }, { cwd: '/' }).roots).toEqual([]);
  expect(sourcePolicyFromEnv({}, { cwd: '/opt/modelship', storeUri: '.modelship/store' }).buckets).toEqual([]);
  // An operator may allow everything, explicitly.
  expect(sourcePolicyFromEnv({ MODELSHIP_SOURCE_ROOTS: '/' }).roots).toEqual(['/']);
});

test('caps: the worker ceiling from its environment (bytes), the spec may only lower it', () => {
  expect(sourcePolicyFromEnv({}).maxModelBytes).toBe(DEFAULT_MAX_MODEL_BYTES);
  const policy = sourcePolicyFromEnv({ MODELSHIP_MAX_SOURCE_BYTES: '1000', MODELSHIP_MAX_DATA_BYTES: '10' });
  expect([policy.maxModelBytes, policy.maxDataBytes]).toEqual([1000, 10]);
  expect(sourcePolicyFromEnv({ MODELSHIP_MAX_SOURCE_BYTES: 'lots' }).maxModelBytes).toBe(DEFAULT_MAX_MODEL_BYTES);
  expect(effectiveCap(1000, undefined)).toBe(1000);
  expect(effectiveCap(1000, 10)).toBe(10);
  expect(effectiveCap(1000, 10_000)).toBe(1000);
});

test('a refusal names the allowed folders and the variable to set', () => {
  const message = outsideRootsMessage('model source', 'file:///srv/models/link.onnx', '/etc/passwd', ['/srv/models']);
  expect(message).toBe(
    'model source file:///srv/models/link.onnx (resolves to /etc/passwd) is outside the folders this worker reads sources from (/srv/models): ' +
      'move it under one of them, or add its folder to MODELSHIP_SOURCE_ROOTS (colon-separated) on the worker',
  );
  expect(path.isAbsolute(sourcePolicyFromEnv({}).roots[0] ?? '/')).toBe(true);
});
