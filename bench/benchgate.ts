/**
 * `npm run bench:benchgate`: does the benchmark gate cry wolf? Through the real stack (an embedded dev
 * environment), the sub-millisecond example classifier is redeployed `BENCH_RUNS` (20) times to one
 * endpoint with the benchmark on and its defaults — first identical copies (the stable artifact), then
 * copies that differ from stable only in metadata (doc_string, producer), so every one is gated. Each
 * run prints the pick's latency against stable from the interleaved runs (median ratio and interval)
 * and three decisions on the same measurements: the gate's (the outcome), the gate's statistics alone
 * (as if the pick were another artifact), and the old gate's (p50 ratio > 1 + maxRegressionPercent/100),
 * the baseline. Then one clearly slower model (`classifier_slow`), which the gate must refuse.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { venvPython } from '../activities/python/venv';
import { startDevEnvironment } from '../cli/dev/devEnvironment';
import { freePort } from '../cli/dev/ports';
import { PACKAGE_ROOT } from '../cli/dev/projectPaths';
import { ModelshipClient } from '../sdk/client';
import { pipelineSpec, type DeploymentResult } from '../sdk/schemas';
import { judgeAgainstStable, judgeByP50 } from '../workflows/benchmarkGate';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const ENDPOINT = 'benchgate';
const DEFAULTS = pipelineSpec.parse({ endpoint: ENDPOINT, version: 'v', model: { source: 'm.onnx' } }).stages.benchmark;
const LIMITS = { maxRegressionPercent: DEFAULTS.maxRegressionPercent, minRegressionMs: DEFAULTS.minRegressionMs };

interface Row {
  outcome: string;
  sameArtifact: boolean;
  refused: boolean;
  statisticsRefuse: boolean;
  oldRefuses: boolean;
  line: string;
}

/** Writes a copy of the classifier that differs only in its metadata, with the project's Python and onnx. */
function metadataCopy(dir: string): string {
  const out = path.join(dir, 'classifier_metadata.onnx');
  const script = [
    'import sys, onnx',
    'm = onnx.load(sys.argv[1])',
    'm.doc_string = "the same classifier, documented"',
    'm.producer_name = "modelship-benchgate"',
    'm.producer_version = "2"',
    'onnx.save(m, sys.argv[2])',
  ].join('\n');
  execFileSync(venvPython(), ['-c', script, path.join(PACKAGE_ROOT, 'examples/models/classifier.onnx'), out]);
  return out;
}

/** The run's numbers and the three decisions on them. */
function judge(result: DeploymentResult): Row {
  const report = result.benchmarks[0];
  const pick = result.candidates.find((c) => c.selected);
  const baseline = report?.baseline;
  const comparison = report?.comparisons?.find((c) => c.label === pick?.label);
  const refused = result.failure?.type === 'BenchmarkRegressed';
  if (!pick || !baseline || !comparison)
    return { outcome: result.outcome, sameArtifact: false, refused, statisticsRefuse: false, oldRefuses: false, line: 'not measured' };
  const sameArtifact = pick.artifact?.digest === baseline.digest;
  const statistics = judgeAgainstStable({ label: pick.label, digest: 'another artifact' }, baseline, comparison, LIMITS);
  const old = judgeByP50(pick, baseline, LIMITS);
  const line =
    `median ${comparison.candidateMedianMs.toFixed(4)} vs ${comparison.stableMedianMs.toFixed(4)} ms, ratio ${comparison.ratio.toFixed(3)} ` +
    `[${comparison.ratioLow.toFixed(3)}–${comparison.ratioHigh.toFixed(3)}], n ${comparison.samples}; ` +
    `p50 ratio ${((pick.benchmark?.batches[0]?.latencyMs.p50 ?? NaN) / (baseline.batches[0]?.latencyMs.p50 ?? NaN)).toFixed(3)}`;
  return { outcome: result.outcome, sameArtifact, refused, statisticsRefuse: statistics.regressed, oldRefuses: old?.regressed ?? false, line };
}

function summary(name: string, rows: Row[]): string {
  const count = (f: (r: Row) => boolean) => rows.filter(f).length;
  return (
    `${name}: ${rows.length} deployments, ${count((r) => r.sameArtifact)} the stable artifact; false rejections (BenchmarkRegressed): ` +
    `gate ${count((r) => r.refused)}, its statistics alone ${count((r) => r.statisticsRefuse)}, old p50 gate (baseline) ${count((r) => r.oldRefuses)}`
  );
}

async function main(): Promise<void> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'modelship-bench-benchgate-'));
  const env = await startDevEnvironment({ stateDir, temporalPort: await freePort(), gatewayPort: await freePort(), uiPort: null, persist: false });
  const client = await ModelshipClient.connect({ address: env.temporalAddress, store: env.storeUri });
  const original = path.join(PACKAGE_ROOT, 'examples/models/classifier.onnx');
  const deploy = async (version: string, file: string): Promise<DeploymentResult> =>
    (
      await client.deploy({
        endpoint: ENDPOINT,
        version,
        model: { source: pathToFileURL(file).href, task: 'classifier' },
        stages: { optimize: { enabled: false } },
        rollout: { strategy: 'direct' },
      })
    ).result();
  const lines: string[] = [];
  const summaries: string[] = [];
  try {
    if ((await deploy('v0', original)).outcome !== 'promoted') throw new Error('the first version was not promoted');
    const metadata = metadataCopy(stateDir);
    for (const [phase, fileOf] of [
      ['identical', () => original],
      ['metadata only', (run: number) => (run % 2 === 0 ? metadata : original)],
    ] as const) {
      const rows: Row[] = [];
      for (let run = 0; run < RUNS; run++) {
        const started = Date.now();
        const row = judge(await deploy(`${phase.split(' ')[0]}-${run}`, fileOf(run)));
        rows.push(row);
        const decisions = `gate ${row.refused ? 'REFUSED' : row.sameArtifact ? 'not gated' : 'pass'}, statistics ${row.statisticsRefuse ? 'REFUSE' : 'pass'}, old ${row.oldRefuses ? 'REFUSE' : 'pass'}`;
        const line = `${phase.padEnd(13)} ${String(run).padStart(2)}  ${row.outcome.padEnd(8)} ${decisions}  ${row.line}  (${((Date.now() - started) / 1000).toFixed(1)} s)`;
        console.error(line);
        lines.push(line);
      }
      summaries.push(summary(phase, rows));
    }
    const slow = await deploy('slow', path.join(PACKAGE_ROOT, 'examples/models/classifier_slow.onnx'));
    summaries.push(
      `classifier_slow (must be refused): ${slow.outcome} ${slow.failure?.type ?? ''}: ${slow.failure?.message ?? slow.benchmarks[0]?.gate?.verdict}`,
    );
  } finally {
    await client.close();
    await env.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
  console.log(`benchmark gate: ${RUNS} redeployments per kind, benchmark defaults (${JSON.stringify(LIMITS)}, confidence ${DEFAULTS.regressionConfidence})`);
  for (const line of lines) console.log(line);
  for (const line of summaries) console.log(line);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
