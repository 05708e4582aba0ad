/** Every CLI view shows a digest the same way: `shortDigest`, the first 12 hex digits (status, history, deploy). */
import { describeEndpoint } from '../../cli/endpointView';
import { describeOutcome } from '../../cli/progress';
import type { DeploymentResult, EndpointState } from '../../sdk/schemas';
import { shortDigest } from '../../sdk/shortDigest';

const digest = '0123456789abcdef'.repeat(4);

test('status shows the stable and previous digests as shortDigest does', () => {
  const state: EndpointState = {
    endpoint: 'demo',
    phase: 'Idle',
    stable: { version: 'v2', digest, since: '2026-01-01T00:00:00.000Z' },
    previous: { version: 'v1', digest: 'f'.repeat(64), since: '2025-12-31T00:00:00.000Z' },
    queue: [],
    generation: 2,
    history: [],
    continuedAsNew: 0,
  };
  const text = describeEndpoint(state);
  expect(shortDigest(digest)).toBe('0123456789ab');
  expect(text).toContain('v2 (0123456789ab, since');
  expect(text).toContain(`v1 (${'f'.repeat(12)}, since`);
});

test('deploy shows the promoted digest as shortDigest does', () => {
  const result = {
    workflowId: 'deploy/demo/v2',
    endpoint: 'demo',
    version: 'v2',
    phase: 'Promoted',
    stages: [],
    candidates: [],
    benchmarks: [],
    artifact: { digest },
    outcome: 'promoted',
  } as unknown as DeploymentResult;
  expect(describeOutcome(result)).toContain('model 0123456789ab,');
});
