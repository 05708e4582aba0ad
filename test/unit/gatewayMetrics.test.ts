/**
 * The gateway's metrics: the loaded set (routed, shadow and header-matched versions), series of an
 * unloaded version dropped at once and not brought back by late writes (a request still in flight,
 * a retiring version's queue draining).
 */
import { GatewayMetrics } from '../../serving/metrics';

const series = async (metrics: GatewayMetrics, version: string): Promise<string[]> =>
  (await metrics.registry.metrics()).split('\n').filter((line) => !line.startsWith('#') && line.includes(`version="${version}"`));

test('a shadow-only version is loaded: its series are written, and dropped once it is no longer mirrored to', async () => {
  const metrics = new GatewayMetrics();
  metrics.served('e', { generation: 1, versions: [{ version: 'a', weight: 100 }], shadow: { version: 'b' } });
  metrics.inc(metrics.shadowComparisons, { endpoint: 'e', version: 'b', result: 'agree' });
  expect(await series(metrics, 'b')).toEqual(['modelship_shadow_comparisons_total{endpoint="e",version="b",result="agree"} 1']);
  // Stable's weight stays 100 while the candidate is only mirrored to.
  expect(await series(metrics, 'a')).toEqual(['modelship_routing_weight{endpoint="e",version="a"} 100']);

  metrics.served('e', { generation: 2, versions: [{ version: 'a', weight: 100 }] });
  expect(await series(metrics, 'b')).toEqual([]);
});

test('a header-matched version is loaded too', async () => {
  const metrics = new GatewayMetrics();
  metrics.served('e', { generation: 1, versions: [{ version: 'a', weight: 100 }], match: { version: 'c' } });
  metrics.inc(metrics.requests, { endpoint: 'e', version: 'c', code: '200' });
  expect(await series(metrics, 'c')).toEqual(['modelship_requests_total{endpoint="e",version="c",code="200"} 1']);
});

test('writes for a version no longer loaded (in-flight requests, a draining queue) do not bring its series back', async () => {
  const metrics = new GatewayMetrics();
  metrics.served('e', {
    generation: 1,
    versions: [
      { version: 'a', weight: 50 },
      { version: 'b', weight: 50 },
    ],
  });
  metrics.inc(metrics.requests, { endpoint: 'e', version: 'b', code: '200' });
  metrics.observe(metrics.latency, { endpoint: 'e', version: 'b' }, 0.01);
  metrics.set(metrics.queueDepth, { endpoint: 'e', version: 'b' }, 3);
  expect((await series(metrics, 'b')).length).toBeGreaterThan(3);

  metrics.served('e', { generation: 2, versions: [{ version: 'a', weight: 100 }] });
  // Synchronous: nothing written after served() returns survives for b.
  metrics.inc(metrics.requests, { endpoint: 'e', version: 'b', code: '200' });
  metrics.observe(metrics.latency, { endpoint: 'e', version: 'b' }, 0.01);
  metrics.set(metrics.queueDepth, { endpoint: 'e', version: 'b' }, 0);
  expect(await series(metrics, 'b')).toEqual([]);
  expect(await series(metrics, 'a')).toEqual(['modelship_routing_weight{endpoint="e",version="a"} 100']);
});

test('an endpoint removed: its generation and every series go', async () => {
  const metrics = new GatewayMetrics();
  metrics.served('e', { generation: 4, versions: [{ version: 'a', weight: 100 }] });
  metrics.inc(metrics.requests, { endpoint: 'e', version: 'a', code: '200' });
  metrics.served('e', undefined);
  const text = await metrics.registry.metrics();
  expect(text).not.toContain('endpoint="e"');
});
