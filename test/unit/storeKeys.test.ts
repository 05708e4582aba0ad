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
