import type { Candidate } from '../../sdk/schemas';
import { selectCandidate } from '../../workflows/candidateSelection';
import { breakingChanges } from '../../activities/validate/ioContract';
import { lastThreeAgree } from '../../activities/benchmark/interleavedRuns';

const digest = (c: string) => c.repeat(64);

/** A paired-runs comparison with fp32: the ratio and its 99% interval. */
const paired = (ratio: number, ratioLow: number, ratioHigh: number) => ({ ratio, ratioLow, ratioHigh, confidence: 0.99, samples: 600 });

function candidate(
  label: string,
  pass: string,
  p50: number | undefined,
  options: { passed?: boolean; load?: number; stable?: boolean; vsConversion?: ReturnType<typeof paired> } = {},
): Candidate {
  const { passed = true, load = 10, stable = true, vsConversion } = options;
  return {
    label,
    target: 'cpu',
    pass,
    artifact: { digest: digest(label[0] ?? 'a'), key: 'k', sizeBytes: 100, format: 'onnx' },
    validation: (passed ? { passed: true, reasons: [] } : { passed: false, reasons: ['parity of y fails'] }) as never,
    benchmark: p50 === undefined ? undefined : ({ sessionCreateMs: load, batches: [{ latencyMs: { p50 }, batchSize: 1, stable }], vsConversion } as never),
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

test('with the paired rule, an unsettled copy whose interval to fp32 lies below 1 - minSpeedup is proven faster', () => {
  const cs = [
    candidate('fp32', 'convert', 1.0, { stable: false }),
    candidate('int8 static', 'int8', 0.44, { stable: false, vsConversion: paired(0.44, 0.41, 0.47) }),
  ];
  expect(selectCandidate(cs, 0.05, { pairedInterval: true }).label).toBe('int8 static');
  expect(cs[1]?.verdict).toBe('selected: fastest passing candidate (p50 0.440 ms, 0.44× fp32 latency, 99% interval 0.41–0.47, paired runs)');
  expect(cs[0]?.verdict).toBe(
    'not selected: int8 static is better (fastest passing candidate (p50 0.440 ms, 0.44× fp32 latency, 99% interval 0.41–0.47, paired runs))',
  );
  // Workflows started before the patch keep the old rule: unsettled proves nothing.
  const old = [
    candidate('fp32', 'convert', 1.0, { stable: false }),
    candidate('int8 static', 'int8', 0.44, { stable: false, vsConversion: paired(0.44, 0.41, 0.47) }),
  ];
  expect(selectCandidate(old).label).toBe('fp32');
  expect(old[1]?.verdict).toMatch(/never settled/);
});

test('an interval that reaches above 1 - minSpeedup proves nothing; an unsettled copy keeps the old verdict', () => {
  const cs = [
    candidate('fp32', 'convert', 1.0, { stable: false }),
    candidate('graph', 'graph', 0.9, { stable: false, vsConversion: paired(0.9, 0.8, 1.02) }),
    candidate('fp16', 'fp16', 0.93, { stable: false, vsConversion: paired(0.93, 0.9, 0.96) }),
    candidate('int8', 'int8', 0.5, { stable: false }),
  ];
  expect(selectCandidate(cs, 0.05, { pairedInterval: true }).label).toBe('fp32');
  for (const c of cs.slice(1)) expect(c.verdict).toBe("not selected: its measurement (or fp32's) never settled within the budget, so a speed-up is not proven");
  expect(cs[0]?.verdict).toBe('selected: the fp32 conversion (p50 1.000 ms); no optimized copy proved better');
});

test('with the paired rule, settled measurements still prove alone, the verdict says which proof held, and load time needs settled ones', () => {
  const cs = [
    candidate('fp32', 'convert', 1.0, { load: 20 }),
    candidate('graph', 'graph', 0.8),
    candidate('int8', 'int8', 0.7, { stable: false, vsConversion: paired(0.7, 0.66, 0.75) }),
    candidate('fp16', 'fp16', 1.01, { load: 5, stable: false, vsConversion: paired(1.01, 0.98, 1.04) }),
  ];
  expect(selectCandidate(cs, 0.05, { pairedInterval: true }).label).toBe('int8');
  expect(cs[1]?.verdict).toMatch(
    /^not selected: int8 is better \(fastest passing candidate \(p50 0.700 ms, 0.70× fp32 latency, 99% interval 0.66–0.75, paired runs\)\)$/,
  );
  expect(cs[3]?.verdict).toMatch(/never settled/);
  const settled = [candidate('fp32', 'convert', 1.0), candidate('graph', 'graph', 0.8, { vsConversion: paired(0.8, 0.7, 0.99) })];
  expect(selectCandidate(settled, 0.05, { pairedInterval: true }).label).toBe('graph');
  expect(settled[1]?.verdict).toBe('selected: fastest passing candidate (p50 0.800 ms, 0.80× fp32 latency, settled measurements)');
});

test('when the paired interval decides, settled p50s that disagree with it prove nothing, and its verdicts quote the interval', () => {
  const both = { pairedInterval: true, pairedDecides: true };
  // Settled p50s read 0.69x fp32; the same rounds compared pairwise do not show it faster.
  const cs = [
    candidate('fp32', 'convert', 1.0),
    candidate('graph', 'graph', 0.69, { vsConversion: paired(1.02, 0.97, 1.1) }),
    candidate('fp16', 'fp16', 1.3, { vsConversion: paired(1.3, 1.25, 1.35) }),
    candidate('int8', 'int8', 0.5, { stable: false, vsConversion: paired(0.55, 0.52, 0.57) }),
  ];
  expect(selectCandidate(cs, 0.05, both).label).toBe('int8');
  expect(cs.map((c) => c.verdict).slice(1)).toEqual([
    'not selected: not proven 5% faster than fp32 (paired runs: 1.02× fp32 latency, 99% interval 0.97–1.10)',
    'not selected: slower than fp32 (paired runs: 1.30× fp32 latency, 99% interval 1.25–1.35)',
    'selected: fastest passing candidate (p50 0.500 ms, 0.55× fp32 latency, 99% interval 0.52–0.57, paired runs)',
  ]);
  const alone = [candidate('fp32', 'convert', 1.0), candidate('graph', 'graph', 0.69, { vsConversion: paired(1.02, 0.97, 1.1) })];
  expect(selectCandidate(alone, 0.05, both).label).toBe('fp32');
  expect(alone[1]?.verdict).toBe('not selected: not proven 5% faster than fp32 (paired runs: 1.02× fp32 latency, 99% interval 0.97–1.10)');
  // Without the patch (histories recorded before it) the settled p50s proved it.
  const before = [candidate('fp32', 'convert', 1.0), candidate('graph', 'graph', 0.69, { vsConversion: paired(1.02, 0.97, 1.1) })];
  expect(selectCandidate(before, 0.05, { pairedInterval: true }).label).toBe('graph');
  // As fast by the interval and quicker to load; a copy without a paired comparison is judged as before.
  const loads = [
    candidate('fp32', 'convert', 1.0, { load: 20 }),
    candidate('graph', 'graph', 1.01, { load: 5, stable: false, vsConversion: paired(1.0, 0.97, 1.03) }),
  ];
  expect(selectCandidate(loads, 0.05, both).label).toBe('graph');
  const unpaired = [candidate('fp32', 'convert', 1.0), candidate('graph', 'graph', 0.8)];
  expect(selectCandidate(unpaired, 0.05, both).label).toBe('graph');
});

test('when the paired interval decides, copies proven faster are ranked by their paired ratios, not by p50s summarized apart', () => {
  const cs = [
    candidate('fp32', 'convert', 1.0),
    candidate('graph', 'graph', 0.69, { vsConversion: paired(0.9, 0.86, 0.93) }),
    candidate('int8', 'int8', 0.7, { vsConversion: paired(0.55, 0.52, 0.58) }),
  ];
  expect(selectCandidate(cs, 0.05, { pairedInterval: true, pairedDecides: true }).label).toBe('int8');
  const before = [
    candidate('fp32', 'convert', 1.0),
    candidate('graph', 'graph', 0.69, { vsConversion: paired(0.9, 0.86, 0.93) }),
    candidate('int8', 'int8', 0.7, { vsConversion: paired(0.55, 0.52, 0.58) }),
  ];
  expect(selectCandidate(before, 0.05, { pairedInterval: true }).label).toBe('graph');
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
