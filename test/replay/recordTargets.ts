/**
 * The replay recorder's `targets` group: deployments with `targets: [cpu, gpu]`, their GPU stages on
 * the CPU stand-in GPU worker (test/support/cpuStandInGpuWorker.ts, polling `modelship-gpu`; a test
 * stand-in, never a product path). v1 and v2 each get a pick per target (cpu: the fp32 conversion;
 * gpu: fp32 or its graph-optimized copy, as the benchmark decides), v2's picks gated per target against
 * v1's (the `routing-picks-per-target` and `gate-every-target` patches); then an operator's rollback to
 * v1 routes v1's picks again. Saves `deployModel-targets` (v2) and `endpoint-targets-rollback`.
 */
import { startCpuStandInGpuWorker } from '../support/cpuStandIn';
import type { DevEnvironment } from '../../cli/dev/devEnvironment';
import type { ModelshipClient } from '../../sdk/client';
import { endpointWorkflowId } from '../../sdk/names';
import type { PipelineSpecInput } from '../../sdk/schemas';
import { saveHistory } from './recordHistory';
import { spec } from './recordSpecs';

const ENDPOINT = 'replay-targets';

/** The classifier example on both targets: no CPU passes, the graph pass for the GPU, benchmarked briefly. */
function targetsSpec(version: string, source: string): PipelineSpecInput {
  const base = spec(version, source);
  return {
    ...base,
    endpoint: ENDPOINT,
    targets: ['cpu', 'gpu'],
    stages: {
      ...base.stages,
      optimize: { passes: { cpu: [], gpu: ['graph'] } },
      benchmark: { batchSizes: [1], windowRuns: 10, budget: '2s', minSpeedupPercent: 0 },
    },
  };
}

export async function recordTargets(client: ModelshipClient, env: DevEnvironment): Promise<void> {
  const standIn = await startCpuStandInGpuWorker({
    ...process.env,
    TEMPORAL_ADDRESS: env.temporalAddress,
    MODELSHIP_STORE: env.storeUri,
    MODELSHIP_ADMIN_TOKEN: env.adminToken,
  });
  try {
    for (const [version, source] of [
      ['v1', 'classifier'],
      ['v2', 'classifier_perturbed'],
    ] as const) {
      const result = await (await client.deploy(targetsSpec(version, source))).result();
      if (result.outcome !== 'promoted') throw new Error(`targets: ${version} ${result.outcome} (${result.failure?.message ?? ''})`);
      if (!result.picks?.gpu && !result.candidates.some((c) => c.target === 'gpu' && c.selected)) throw new Error(`targets: ${version} has no gpu pick`);
    }
    await client.endpoint(ENDPOINT).rollback({ to: 'v1', by: 'recorder', reason: 'replay test: picks per target' });
    await saveHistory(client.temporal, `deploy/${ENDPOINT}/v2`, 'deployModel-targets');
    await saveHistory(client.temporal, endpointWorkflowId(ENDPOINT), 'endpoint-targets-rollback');
  } finally {
    await standIn.stop();
  }
}
