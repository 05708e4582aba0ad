/**
 * The custom-activity example, end to end on the embedded default (`npm run example:custom-activity`):
 * starts the local Temporal dev server, Modelship's CPU worker and a gateway, then the team's worker
 * (its workflow and activities on the `model-governance` queue), and deploys the classifier through
 * `deployWithFairnessCheck` twice: to an endpoint whose policy it meets (promoted), and to one whose
 * policy it breaches (rejected by the team's check, nothing released).
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { ModelshipClient, loadPipelineSpec } from 'modelship/client';
import { freePort, startDevEnvironment } from 'modelship/testing';
import { openStore } from 'modelship/worker';
import { createGovernanceActivities } from './activities';
import { GOVERNANCE_TASK_QUEUE } from './workflows';

async function main(): Promise<number> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'modelship-custom-'));
  const env = await startDevEnvironment({ stateDir, temporalPort: await freePort(), gatewayPort: await freePort(), uiPort: null, persist: false });
  const connection = await NativeConnection.connect({ address: env.temporalAddress });
  const worker = await Worker.create({
    connection,
    taskQueue: GOVERNANCE_TASK_QUEUE,
    workflowsPath: require.resolve('./workflows'),
    activities: createGovernanceActivities(openStore(env.storeUri), {
      maxGap: { 'governed-classifier': 0.5, 'strict-classifier': 0.1 },
      ticketDir: path.join(stateDir, 'tickets'),
    }),
  });
  const client = await ModelshipClient.connect({ address: env.temporalAddress, store: env.storeUri });
  try {
    return await worker.runUntil(async () => {
      let failures = 0;
      for (const [endpoint, expected] of [
        ['governed-classifier', 'promoted'],
        ['strict-classifier', 'rejected'],
      ] as const) {
        const spec = { ...(await loadPipelineSpec(path.join(__dirname, 'pipeline.ts'))), endpoint };
        const deployment = await client.deploy(spec, { workflowType: 'deployWithFairnessCheck', taskQueue: GOVERNANCE_TASK_QUEUE });
        const result = await deployment.result();
        console.log(`${endpoint}: ${result.outcome}${result.failure ? ` — ${result.failure.type} at ${result.failure.stage}: ${result.failure.message}` : ''}`);
        for (const stage of result.stages) console.log(`  ${stage.name.padEnd(10)} ${stage.status.padEnd(9)} ${stage.summary ?? ''}`);
        if (result.outcome !== expected) failures++;
      }
      return failures === 0 ? 0 : 1;
    });
  } finally {
    await client.close();
    await connection.close();
    await env.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  },
);
