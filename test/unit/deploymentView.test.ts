/** `modelship status <endpoint>/<version>` in text: stages, then rollout steps with verdicts and the numbers behind them. */
import { describeDeployment } from '../../cli/deploymentView';
import type { DeploymentStatus } from '../../sdk/schemas';

const status: DeploymentStatus = {
  workflowId: 'deploy/demo/v2',
  endpoint: 'demo',
  version: 'v2',
  phase: 'RolledBack',
  stages: [
    { name: 'validate', status: 'succeeded', summary: '1 of 1 candidate(s) pass' },
    { name: 'release', status: 'failed', summary: 'rolled back' },
  ],
  candidates: [],
  benchmarks: [],
  rollout: {
    strategy: 'canary',
    state: 'done',
    stableVersion: 'v1',
    weight: 0,
    steps: [
      {
        kind: 'canary',
        weight: 10,
        status: 'passed',
        dryRun: false,
        note: 'pass after 1 extra bake(s)',
        staleReplicas: ['gw-2'],
        verdict: {
          status: 'pass',
          since: 0,
          until: 30_000,
          replicas: 2,
          checks: [
            { name: 'samples', status: 'pass', detail: 'canary 412, stable 3710 requests (40 needed)', values: {} },
            { name: 'error-rate', status: 'pass', detail: 'canary 0.00%, stable 0.03% (p=0.61)', values: {} },
          ],
        },
      },
      {
        kind: 'canary',
        weight: 50,
        status: 'failed',
        dryRun: false,
        verdict: {
          status: 'fail',
          since: 30_000,
          until: 60_000,
          replicas: 1,
          checks: [{ name: 'latency', status: 'fail', detail: 'p95 41.2 ms vs stable 12.0 ms (x3.43 > x1.5; U test p<0.001)', values: {} }],
        },
      },
      { kind: 'canary', weight: 100, status: 'skipped', dryRun: false },
    ],
    rollback: { reason: 'CanaryRegressed: canary at 50% failed analysis', generation: 7, verified: { v1: 4 }, tookMs: 412.4 },
  },
  failure: { type: 'CanaryRegressed', stage: 'release', message: 'canary at 50% failed analysis: latency: p95 41.2 ms vs stable 12.0 ms' },
};

test('stages, each step with its verdict, every check with its numbers, notes, stale replicas and the rollback', () => {
  expect(describeDeployment(status).split('\n')).toEqual([
    'deploy/demo/v2: RolledBack',
    '  ✓ validate   succeeded 1 of 1 candidate(s) pass',
    '  ✗ release    failed    rolled back',
    '  canary rollout against v1: done, new version at 0%',
    '    ✓ canary 10%   passed',
    '        analysis pass over 30.0 s from 2 replica(s)',
    '          samples            pass         canary 412, stable 3710 requests (40 needed)',
    '          error-rate         pass         canary 0.00%, stable 0.03% (p=0.61)',
    '        note: pass after 1 extra bake(s)',
    '        went on without stale replica(s) gw-2 (no heartbeat)',
    '    ✗ canary 50%   failed',
    '        analysis fail over 30.0 s from 1 replica(s)',
    '          latency            fail         p95 41.2 ms vs stable 12.0 ms (x3.43 > x1.5; U test p<0.001)',
    '    - canary 100%  skipped',
    '  rolled back in 412 ms (generation 7; verified answers: v1 4): CanaryRegressed: canary at 50% failed analysis',
    '  reason: CanaryRegressed: canary at 50% failed analysis: latency: p95 41.2 ms vs stable 12.0 ms',
  ]);
});
