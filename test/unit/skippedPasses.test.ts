/** A pass that does not apply: how its candidate is recorded, judged and reported. */
import { isSkippedPass, type Candidate } from '../../sdk/schemas';
import { selectCandidate } from '../../workflows/candidateSelection';
import { renderHtml, skippedSection } from '../../activities/report/deploymentReport';

const artifact = (c: string) => ({ digest: c.repeat(64), key: 'k', sizeBytes: 100, format: 'onnx' as const });
const REASON = 'no attention block (MatMul → Softmax → MatMul) in the graph (0 layer norm(s), 0 GELU/Erf): nothing to fuse';

function measured(label: string, pass: string, p50: number): Candidate {
  return {
    label,
    target: 'cpu',
    pass,
    artifact: artifact(label[0] ?? 'a'),
    validation: { passed: true, reasons: [] } as never,
    benchmark: { sessionCreateMs: 10, batches: [{ latencyMs: { p50, p99: p50 }, throughputPerSec: 1000 / p50, batchSize: 1, stable: true }] } as never,
    selected: false,
    verdict: '',
  };
}

const skipped = (target: 'cpu' | 'gpu'): Candidate => ({
  label: 'transformer',
  target,
  pass: 'transformer',
  selected: false,
  skipped: REASON,
  verdict: `skipped: ${REASON}`,
});

test('an optimize result is a skip only when it says so; artifacts recorded before skips existed are not', () => {
  expect(isSkippedPass({ skipped: REASON })).toBe(true);
  expect(isSkippedPass(artifact('a'))).toBe(false);
});

test('a skipped candidate keeps its verdict and is never selected', () => {
  const cs = [measured('fp32', 'convert', 1), measured('graph', 'graph', 0.8), skipped('cpu')];
  expect(selectCandidate(cs).label).toBe('graph');
  expect(cs[2]).toMatchObject({ selected: false, verdict: `skipped: ${REASON}` });
});

test('the report lists each skipped pass once, with its targets and reason', () => {
  const section = skippedSection([measured('fp32', 'convert', 1), skipped('cpu'), skipped('gpu')]);
  expect(section).toBe(`<h2>Skipped passes</h2><ul><li><b>transformer</b> (cpu, gpu): ${REASON}</li></ul>`);
  expect(skippedSection([measured('fp32', 'convert', 1)])).toBe('');
});

test('the HTML report shows the skipped row and the section', () => {
  const status = {
    endpoint: 'e',
    version: 'v',
    phase: 'promoted',
    workflowId: 'deploy/e/v',
    stages: [],
    candidates: [measured('fp32', 'convert', 1), skipped('cpu')],
    benchmarks: [],
  };
  const html = renderHtml(status as never);
  expect(html).toContain('<h2>Skipped passes</h2>');
  expect(html).toContain('<td>skipped: no attention block');
});
