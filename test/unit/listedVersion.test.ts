/** `listedVersion`: what tells two written versions of a listed object apart (the reconciler's full-pass change key). */
import { listedVersion } from '../../store';

test('the ETag when the store gives one: two versions written in one second, of one size, differ', () => {
  const first = { key: 'endpoints/e/routing.json', sizeBytes: 120, modifiedMs: 1_700_000_000_000, etag: '"a1"' };
  expect(listedVersion({ ...first, etag: '"b2"' })).not.toBe(listedVersion(first));
});

test('else modified time and size', () => {
  const object = { key: 'endpoints/e/routing.json', sizeBytes: 120, modifiedMs: 1_700_000_000_000 };
  expect(listedVersion(object)).toBe('1700000000000/120');
  expect(listedVersion({ ...object, sizeBytes: 121 })).not.toBe(listedVersion(object));
});
