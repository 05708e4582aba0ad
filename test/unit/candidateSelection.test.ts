import type { Candidate } from '../../sdk/schemas';
import { selectCandidate } from '../../workflows/candidateSelection';
import { breakingChanges } from '../../activities/validate/ioContract';
import { lastThreeAgree } from '../../activities/benchmark/interleavedRuns';

const digest = (c: string) => c.repeat(64);

function candidate(label: string, pass: string, p50: number | undefined, options: { passed?: boolean; load?: number; stable?: boolean } = {}): Candidate {
  const { passed = true, load = 10, stable = true } = options;
  return {
    label,
    target: 'cpu',
    pass,
    artifact: { digest: digest(label[0] ?? 'a'), key: 'k', sizeBytes: 100, format: 'onnx' },
    validation: (passed ? { passed: true, reasons: [] } : { passed: false, reasons: ['parity of y fails'] }) as never,
    benchmark: p50 === undefined ? undefined : ({ sessionCreateMs: load, batches: [{ latencyMs: { p50 }, batchSize: 1, stable }] } as never),
    selected: false,
    verdict: '',
  };
}

test('the fastest passing candidate wins; slower, failed and unproven ones say why', () => {
  const cs = [
    candidate('fp32', 'convert', 1.0),
    candidate('graph', 'graph', 0.8),
    candidate('int8', 'int8', 1.2),
    candidate('fp16', 'fp16', 0.5, { passed: false }),
    candidate('other', 'graph', 0.97),
  ];
  expect(selectCandidate(cs).label).toBe('graph');
  expect(cs.map((c) => c.verdict)).toEqual([
    'not selected: graph is better (fastest passing candidate (p50 0.800 ms, 1.25× fp32))',
    'selected: fastest passing candidate (p50 0.800 ms, 1.25× fp32)',
    'not selected: slower than fp32 (p50 1.200 ms vs 1.000 ms)',
    'not selected: failed validation: parity of y fails',
    'not selected: less than 5% faster than fp32 (p50 0.970 ms vs 1.000 ms)',
  ]);
});

test('as fast within the margin and quicker to load is enough', () => {
  const cs = [candidate('fp32', 'convert', 1.0, { load: 20 }), candidate('graph', 'graph', 1.02, { load: 5 })];
  expect(selectCandidate(cs).label).toBe('graph');
  expect(cs[1]?.verdict).toBe('selected: as fast as fp32 (p50 1.020 ms vs 1.000 ms) and quicker to load (5.000 ms vs 20.000 ms)');
});

test('an unstable measurement proves nothing', () => {
  const cs = [candidate('fp32', 'convert', 1.0), candidate('graph', 'graph', 0.5, { stable: false })];
  expect(selectCandidate(cs).label).toBe('fp32');
  expect(cs[1]?.verdict).toMatch(/never settled/);
  expect(cs[0]?.verdict).toBe('selected: the fp32 conversion (p50 1.000 ms); no optimized copy proved better');
});

test('without measurements the fp32 conversion is chosen', () => {
  const cs = [candidate('fp32', 'convert', undefined), candidate('int8', 'int8', undefined)];
  expect(selectCandidate(cs).label).toBe('fp32');
  expect(cs[0]?.verdict).toMatch(/nothing was measured/);
  expect(cs[1]?.verdict).toBe('not selected: not benchmarked, so no speed-up is proven');
});

test('IO contract: removed, added, retyped and reshaped tensors break; new outputs and dynamic dims do not', () => {
  const stable = {
    inputs: [{ name: 'x', datatype: 'FP32' as const, shape: [-1, 4] }],
    outputs: [
      { name: 'y', datatype: 'FP32' as const, shape: [-1, 3] },
      { name: 'z', datatype: 'INT64' as const, shape: [-1] },
    ],
  };
  expect(breakingChanges(stable, { inputs: stable.inputs, outputs: [...stable.outputs, { name: 'extra', datatype: 'FP32', shape: [1] }] })).toEqual([]);
  expect(breakingChanges(stable, { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, -1] }], outputs: stable.outputs })).toEqual([]);
  expect(
    breakingChanges(stable, {
      inputs: [
        { name: 'x', datatype: 'FP64', shape: [-1, 5] },
        { name: 'mask', datatype: 'BOOL', shape: [-1] },
      ],
      outputs: [{ name: 'y', datatype: 'FP32', shape: [8, 3] }],
    }),
  ).toEqual([
    { kind: 'datatype', name: 'x', stable: 'FP32', candidate: 'FP64' },
    { kind: 'shape', name: 'x', stable: '[-1, 4]', candidate: '[-1, 5]' },
    { kind: 'extra-input', name: 'mask', candidate: 'BOOL [-1]' },
    { kind: 'shape', name: 'y', stable: '[-1, 3]', candidate: '[8, 3]' },
    { kind: 'missing-output', name: 'z', stable: 'INT64 [-1]' },
  ]);
});

test('measurement windows are stable when the last three agree within the tolerance', () => {
  expect(
    lastThreeAgree(
      [
        { throughput: 100, p99: 1 },
        { throughput: 100, p99: 1 },
      ],
      0.1,
    ),
  ).toBe(false);
  expect(
    lastThreeAgree(
      [
        { throughput: 50, p99: 3 },
        { throughput: 100, p99: 1 },
        { throughput: 104, p99: 1.05 },
        { throughput: 97, p99: 0.98 },
      ],
      0.1,
    ),
  ).toBe(true);
  expect(
    lastThreeAgree(
      [
        { throughput: 100, p99: 1 },
        { throughput: 100, p99: 1 },
        { throughput: 100, p99: 1.5 },
      ],
      0.1,
    ),
  ).toBe(false);
});
