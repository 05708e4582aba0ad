/** `modelship deploy --wait` progress: line per event off a terminal, spinner lines on one. */
import { LiveProgress, ProgressPrinter } from '../../cli/progress';
import type { DeploymentStatus, StageState } from '../../sdk/schemas';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (ms: number): string => new Date(T0 + ms).toISOString();

function status(stages: Partial<Record<StageState['name'], Omit<StageState, 'name'>>>, rollout?: DeploymentStatus['rollout']): DeploymentStatus {
  const names = ['ingest', 'convert', 'optimize', 'validate', 'benchmark', 'release'] as const;
  return {
    workflowId: 'deploy/demo/v1',
    endpoint: 'demo',
    version: 'v1',
    phase: 'Validating',
    stages: names.map((name) => ({ name, status: 'pending', ...stages[name] })),
    candidates: [],
    benchmarks: [],
    ...(rollout ? { rollout } : {}),
  };
}

const validating = status({
  ingest: { status: 'succeeded', startedAt: at(0), finishedAt: at(200), summary: 'stored sources/ab.onnx (902 bytes)' },
  validate: { status: 'running', startedAt: at(300) },
});
const validated = status({
  ingest: { status: 'succeeded', startedAt: at(0), finishedAt: at(200), summary: 'stored sources/ab.onnx (902 bytes)' },
  validate: { status: 'succeeded', startedAt: at(300), finishedAt: at(2300), summary: '1 of 1 candidate(s) pass' },
});

test('off a terminal: one line when a stage starts and one when it ends, each once', () => {
  const lines: string[] = [];
  const printer = new ProgressPrinter((line) => lines.push(line));
  printer.update(validating);
  printer.update(validating);
  printer.update(validated);
  printer.stop();
  expect(lines).toEqual([
    '  ✓ ingest     stored sources/ab.onnx (902 bytes) (200 ms)',
    '  … validate   running',
    '  ✓ validate   1 of 1 candidate(s) pass (2.0 s)',
  ]);
});

test('off a terminal: rollout steps as lines, with their verdicts and notes', () => {
  const lines: string[] = [];
  const printer = new ProgressPrinter((line) => lines.push(line));
  const rollout = (stepStatus: 'running' | 'passed', note?: string): DeploymentStatus['rollout'] => ({
    strategy: 'canary',
    state: stepStatus === 'running' ? 'baking' : 'promoting',
    stableVersion: 'v0',
    weight: 25,
    steps: [{ kind: 'canary', weight: 25, status: stepStatus, dryRun: false, ...(note ? { note } : {}) }],
  });
  printer.update(status({ release: { status: 'running' } }, rollout('running')));
  printer.update(status({ release: { status: 'running' } }, rollout('running', 'inconclusive; baking 1 more time(s)')));
  printer.update(status({ release: { status: 'running' } }, rollout('passed')));
  // The release stage first, its steps under it.
  expect(lines).toEqual([
    '  … release    running',
    '      ↳ canary 25%   running',
    '      ↳ canary 25%   running — inconclusive; baking 1 more time(s)',
    '      ↳ canary 25%   passed',
  ]);
});

test('off a terminal: rollout steps come after ✓ benchmark even when both change at once, and name the stale replicas a step went on without', () => {
  const lines: string[] = [];
  const printer = new ProgressPrinter((line) => lines.push(line));
  printer.update(
    status(
      { benchmark: { status: 'succeeded', summary: 'fp32 picked' }, release: { status: 'running' } },
      {
        strategy: 'canary',
        state: 'baking',
        stableVersion: 'v0',
        weight: 25,
        steps: [{ kind: 'canary', weight: 25, status: 'running', dryRun: false, staleReplicas: ['gw-2'] }],
      },
    ),
  );
  expect(lines).toEqual([
    '  ✓ benchmark  fp32 picked',
    '  … release    running',
    '      ↳ canary 25%   running — went on without stale replica(s) gw-2 (no heartbeat)',
  ]);
});

test('on a terminal: a spinner line per running stage with its elapsed time, replaced by the end line', () => {
  let written = '';
  let now = T0 + 1_500;
  const live = new LiveProgress({ write: (text: string) => (written += text), columns: 80 }, () => now, 60_000);
  live.update(validating);
  expect(written).toBe('  ✓ ingest     stored sources/ab.onnx (902 bytes) (200 ms)\n  ⠋ validate   running 1.2 s\n');

  written = '';
  now = T0 + 2_400;
  live.update(validated);
  // Up one line (the spinner line), clear to the end of the screen, the end line; nothing live below.
  expect(written).toBe('\x1b[1F\x1b[J  ✓ validate   1 of 1 candidate(s) pass (2.0 s)\n');

  written = '';
  live.stop();
  expect(written).toBe('');
});

test('on a terminal: a running rollout step shows the rollout state; lines fit the width', () => {
  let written = '';
  const live = new LiveProgress({ write: (text: string) => (written += text), columns: 30 }, () => T0 + 5_000, 60_000);
  live.update(
    status(
      { release: { status: 'running', startedAt: at(0) } },
      {
        strategy: 'canary',
        state: 'awaiting-approval',
        stableVersion: 'v0',
        weight: 25,
        steps: [{ kind: 'canary', weight: 25, status: 'running', startedAt: at(2_000), dryRun: false }],
      },
    ),
  );
  expect(written.split('\n')).toEqual(['  ⠋ release    running 5.0 s', '      ⠋ canary 25%   awaiting', '']);
  written = '';
  live.stop();
  expect(written).toBe('\x1b[2F\x1b[J');
});

test('a deployment queued at its endpoint says so, once, until it starts', () => {
  const lines: string[] = [];
  const printer = new ProgressPrinter((line) => lines.push(line));
  const queued = { ...status({}), phase: 'Queued' as const };
  printer.update(queued);
  printer.update(queued);
  printer.update(status({ ingest: { status: 'running' } }));
  expect(lines).toEqual(["  … queued     waiting for the endpoint's deployment in progress", '  … ingest     running']);
});

test('steps that are not weighted read by what they do', () => {
  const lines: string[] = [];
  const printer = new ProgressPrinter((line) => lines.push(line));
  printer.update(
    status(
      { release: { status: 'running' } },
      { strategy: 'canary', state: 'baking', stableVersion: 'v0', weight: 0, steps: [{ kind: 'match', weight: 0, status: 'running', dryRun: false }] },
    ),
  );
  expect(lines[1]).toBe('      ↳ header match running');
});

test('a stage waiting for retry prints the retry instructions once; each decision prints a line', () => {
  const lines: string[] = [];
  const printer = new ProgressPrinter((line) => lines.push(line));
  const failure = { type: 'InfrastructureError' as const, stage: 'ingest', message: 'the store is down' };
  const failed = { status: 'failed' as const, summary: 'the store is down' };
  const waiting = {
    ...status({ ingest: failed }),
    phase: 'WaitingForRetry' as const,
    waiting: { stage: 'ingest', failure, since: at(0), until: at(86_400_000) },
  };
  printer.update(waiting);
  printer.update(waiting);
  const decision = { action: 'retry' as const, stage: 'ingest', by: 'oncall', reason: 'the store is back', at: at(1000) };
  printer.update({ ...status({ ingest: { status: 'running' } }), decisions: [decision] });
  expect(lines).toEqual([
    '  ✗ ingest     the store is down',
    [
      `  ⏸ waiting for retry since ${at(0)} (until ${at(86_400_000)}, then it fails): the ingest stage failed: InfrastructureError: the store is down`,
      '      to re-run the ingest stage: `modelship retry demo/v1 --reason "..."`; to end the deployment as failed: `modelship abort demo/v1 --reason "..."`',
      '      in the Temporal UI: More actions → Send a Signal, name `retry` or `abort`, input `{"by": "you", "reason": "why"}`',
    ].join('\n'),
    '  … ingest     running',
    `  ↻ retry of the ingest stage by oncall: the store is back (${at(1000)})`,
  ]);
});
