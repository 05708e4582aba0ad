import { assertValidKey, storeKeys } from '../../store';

const digest = '0123456789abcdef'.repeat(4);

test('content-addressed keys', () => {
  expect(storeKeys.model(digest)).toBe(`models/${digest}.onnx`);
  expect(storeKeys.modelMetadata(digest)).toBe(`models/${digest}.json`);
  expect(storeKeys.source(digest, '.pt2')).toBe(`sources/${digest}.pt2`);
  expect(storeKeys.source(digest, '')).toBe(`sources/${digest}`);
  expect(storeKeys.tensorBundle(digest)).toBe(`tensors/${digest}.json`);
  expect(() => storeKeys.model('not-a-digest')).toThrow();
});

test('per-endpoint keys', () => {
  expect(storeKeys.report('fraud', 'v2', 'json')).toBe('reports/fraud/v2/report.json');
  expect(storeKeys.report('fraud', 'v2', 'html')).toBe('reports/fraud/v2/report.html');
  expect(storeKeys.routing('fraud')).toBe('endpoints/fraud/routing.json');
  expect(storeKeys.driftBaseline('fraud')).toBe('endpoints/fraud/drift/baseline.json');
  expect(storeKeys.driftCheck('fraud', '2026-12-02T04:00:00.000Z')).toBe('endpoints/fraud/drift/checks/2026-12-02T04:00:00.000Z.json');
  expect([storeKeys.driftBaseline('fraud'), storeKeys.routing('fraud')].map(storeKeys.isDriftDocument)).toEqual([true, false]);
  expect(storeKeys.replica('r1')).toBe('gateway/replicas/r1.json');
});

test('a routing key read back: the endpoint of endpoints/<name>/routing.json, nothing for other keys under endpoints/', () => {
  expect(storeKeys.endpointOfRouting(storeKeys.routing('fraud'))).toBe('fraud');
  expect(storeKeys.endpointOfRouting('endpoints/fraud/other.json')).toBeUndefined();
  expect(storeKeys.endpointOfRouting('endpoints/a/b/routing.json')).toBeUndefined();
  expect(storeKeys.endpointOfRouting('endpoints/routing.json')).toBeUndefined();
  expect(storeKeys.endpointOfRouting(storeKeys.replica('r1'))).toBeUndefined();
});

test('every built key is a valid store key', () => {
  for (const key of [storeKeys.source(digest, '.onnx'), storeKeys.tensorBundle(digest), storeKeys.report('ep', '2026-01-01.1', 'html')]) {
    expect(() => assertValidKey(key)).not.toThrow();
  }
});

test('capture keys: time first (zero-padded) so a version lists oldest first, read back by captureOf', () => {
  const key = storeKeys.capture('fraud', 'v2', 1_700_000_000_123, 'host:8000', 4);
  expect(key).toBe('capture/fraud/v2/0001700000000123-host_8000-4.json');
  expect(() => assertValidKey(key)).not.toThrow();
  expect(storeKeys.captureOf(key)).toEqual({ endpoint: 'fraud', version: 'v2', timeMs: 1_700_000_000_123 });
  expect(storeKeys.captureOf('capture/fraud/v2/notes.json')).toBeUndefined();
  expect(storeKeys.capturePrefix('fraud')).toBe('capture/fraud/');
  expect(storeKeys.capturePrefix('fraud', 'v2')).toBe('capture/fraud/v2/');
  expect(() => storeKeys.capturePrefix('Not_An_Endpoint')).toThrow();
  expect(storeKeys.capture('fraud', 'v2', 2, 'r', 0) > storeKeys.capture('fraud', 'v2', 1, 'r', 9)).toBe(true);
});
