/** `modelship status <endpoint>/<version>` in text: stages, then rollout steps with verdicts and the numbers behind them. */
import { describeDeployment } from '../../cli/deploymentView';
import { deploymentDetails } from '../../workflows/details';
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

test('a deployment waiting for retry says which stage failed, why, until when, and what to do (CLI and UI)', () => {
  const waiting: DeploymentStatus = {
    workflowId: 'deploy/demo/v3',
    endpoint: 'demo',
    version: 'v3',
    phase: 'WaitingForRetry',
    stages: [{ name: 'ingest', status: 'failed', summary: 'connect ECONNREFUSED 127.0.0.1:9000' }],
    candidates: [],
    benchmarks: [],
    waiting: {
      stage: 'ingest',
      failure: { type: 'InfrastructureError', stage: 'ingest', message: 'connect ECONNREFUSED 127.0.0.1:9000' },
      since: '2026-12-02T00:00:00.000Z',
      until: '2026-12-03T00:00:00.000Z',
    },
    decisions: [{ action: 'retry', stage: 'ingest', by: 'oncall', reason: 'S3 flapped', at: '2026-12-01T23:00:00.000Z' }],
  };
  expect(describeDeployment(waiting).split('\n')).toEqual([
    'deploy/demo/v3: WaitingForRetry',
    '  ✗ ingest     failed    connect ECONNREFUSED 127.0.0.1:9000',
    '  waiting for retry since 2026-12-02T00:00:00.000Z (until 2026-12-03T00:00:00.000Z, then it fails): the ingest stage failed: InfrastructureError: connect ECONNREFUSED 127.0.0.1:9000',
    '  to re-run the ingest stage: `modelship retry demo/v3 --reason "..."`; to end the deployment as failed: `modelship abort demo/v3 --reason "..."`',
    '  in the Temporal UI: More actions → Send a Signal, name `retry` or `abort`, input `{"by": "you", "reason": "why"}`',
    '  retry of the ingest stage by oncall: S3 flapped (2026-12-01T23:00:00.000Z)',
  ]);
  const details = deploymentDetails(waiting);
  expect(details).toContain('**demo v3** — WaitingForRetry');
  expect(details).toContain('**Waiting for retry**: waiting for retry since');
  expect(details).toContain('- in the Temporal UI: More actions → Send a Signal, name `retry` or `abort`');
});
