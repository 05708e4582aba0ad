/** The `replicas` analysis check: a window from fewer replicas than required is inconclusive and names the missing ones. */
import { replicaCheck } from '../../activities/analysis/replicaCheck';

test('enough replicas pass; fewer are inconclusive and name the stale and unreachable ones', () => {
  expect(replicaCheck({ replicas: 2, stale: [], unreachable: [] }, 2)).toMatchObject({
    status: 'pass',
    detail: '2 replica(s) reported statistics, 2 required',
  });
  expect(replicaCheck({ replicas: 1, stale: ['gw-2'], unreachable: ['gw-3'] }, 2)).toMatchObject({
    name: 'replicas',
    status: 'inconclusive',
    detail: '1 replica(s) reported statistics, 2 required (stale, no heartbeat: gw-2; unreachable: gw-3)',
    values: { replicas: 1, minReplicas: 2, stale: 1, unreachable: 1 },
  });
});

test('no check when the rollout requires no replicas', () => {
  expect(replicaCheck({ replicas: 0, stale: ['gw-2'], unreachable: [] }, 0)).toBeUndefined();
});
