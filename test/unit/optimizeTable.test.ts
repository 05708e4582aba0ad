/**
 * The `serves:` line of `npm run bench:optimize` (bench/optimizeTable.ts): what a new deployment's
 * selection would serve from the rows, here rows whose windows never settled on a busy machine.
 */
import { servedPick, type FamilyTable, type PassRow } from '../../bench/optimizeTable';

function row(label: string, p50: number, vsConversion?: { ratio: number; ratioLow: number; ratioHigh: number }): PassRow {
  return {
    label,
    artifact: { digest: (label === 'fp32' ? 'a' : 'b').repeat(64), key: 'k', sizeBytes: 100, format: 'onnx' },
    validation: { passed: true, reasons: [] } as never,
    benchmark: {
      sessionCreateMs: 10,
      batches: [{ latencyMs: { p50 }, batchSize: 1, stable: false }],
      ...(vsConversion ? { vsConversion: { ...vsConversion, confidence: 0.99, samples: 1000 } } : {}),
    } as never,
  };
}

test('an unsettled copy proven faster by its paired-runs interval to fp32 is what the bench says serves', () => {
  const table: FamilyTable = { name: 'cnn', rows: [row('fp32', 2), row('int8 static', 0.88, { ratio: 0.44, ratioLow: 0.41, ratioHigh: 0.47 })] };
  expect(servedPick(table)).toBe(
    'serves: int8 static (selected: fastest passing candidate (p50 0.880 ms, 0.44× fp32 latency, 99% interval 0.41–0.47, paired runs))',
  );
  const crossing: FamilyTable = { name: 'cnn', rows: [row('fp32', 2), row('int8 static', 1.9, { ratio: 0.95, ratioLow: 0.9, ratioHigh: 1.01 })] };
  expect(servedPick(crossing)).toBe('serves: fp32 (selected: the fp32 conversion (p50 2.000 ms); no optimized copy proved better)');
});
