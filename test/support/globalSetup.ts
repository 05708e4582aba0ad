/**
 * Once per integration run: the example models and the workflow bundle (copied from what setup and
 * `npm run bundle:workflows` built when they are current: `exampleModels.ts`, `workflowBundle.ts`),
 * and one stack per jest worker — a Temporal dev server (in memory, with its web UI for the browser
 * test) and a SeaweedFS S3 server — so that integration files run side by side without sharing a
 * task queue or a bucket. Addresses reach the tests through process.env: each worker reads its own
 * stack's (`nodeEnvironment.js`, by JEST_WORKER_ID).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from '../../cli/dev/ports';
import { startTemporalDevServer } from '../../cli/dev/temporalDevServer';
import { PACKAGE_ROOT } from '../../cli/dev/projectPaths';
import { makeExampleModels } from './exampleModels';
import { startS3Server } from './s3Server';
import { makeWorkflowBundle } from './workflowBundle';
import { stackEnvName, TEST_ENV, type GlobalHandles, type TestStack } from './testEnv';

async function startStack(workDir: string, worker: number): Promise<TestStack> {
  // The UI is served by the dev server's own process: enabling it costs a port, not a second server.
  const [port, uiPort] = (await freePorts(2)) as [number, number];
  const [temporal, s3] = await Promise.allSettled([
    startTemporalDevServer({ port, uiPort, logTo: path.join(workDir, `temporal-${worker}.log`) }),
    startS3Server(),
  ]);
  if (temporal.status === 'fulfilled' && s3.status === 'fulfilled') return { temporal: temporal.value, s3: s3.value };
  // No server outlives a failed setup (jest runs no teardown then).
  await Promise.all([temporal, s3].map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
  throw temporal.status === 'rejected' ? temporal.reason : (s3 as PromiseRejectedResult).reason;
}

export default async function globalSetup(globalConfig: { maxWorkers?: number }): Promise<void> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'modelship-test-'));
  const modelsDir = path.join(workDir, 'models');
  const bundlePath = path.join(workDir, 'workflow-bundle.js');
  const workers = Math.max(1, globalConfig.maxWorkers ?? 1);
  // The models, the bundle and the stacks are made side by side.
  const stacks = Array.from({ length: workers }, (_, i) => startStack(workDir, i + 1));
  const made = Promise.all([makeExampleModels(modelsDir), makeWorkflowBundle(bundlePath)]);
  const [settledStacks, settledMade] = await Promise.all([Promise.allSettled(stacks), Promise.allSettled([made])]);
  const started = settledStacks.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = [...settledStacks, ...settledMade].find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(started.flatMap((stack) => [stack.temporal.stop(), stack.s3.stop()]));
    throw failed.reason;
  }
  (globalThis as GlobalHandles).__modelshipTest = { ...(started[0] as TestStack), stacks: started, workDir };

  started.forEach((stack, i) => {
    process.env[stackEnvName('temporalAddress', i + 1)] = stack.temporal.address;
    process.env[stackEnvName('s3Endpoint', i + 1)] = stack.s3.endpoint;
    process.env[stackEnvName('temporalUi', i + 1)] = stack.temporal.uiUrl;
  });
  // The first stack is also the default (a process that is not a jest worker).
  process.env[TEST_ENV.temporalAddress] = started[0]?.temporal.address;
  process.env[TEST_ENV.s3Endpoint] = started[0]?.s3.endpoint;
  process.env[TEST_ENV.temporalUi] = started[0]?.temporal.uiUrl;
  process.env[TEST_ENV.workDir] = workDir;
  process.env[TEST_ENV.modelsDir] = modelsDir;
  process.env[TEST_ENV.workflowBundle] = bundlePath;
  // Workers (and stage code run in the tests) read sources from this run's folder and the project's examples.
  process.env.MODELSHIP_SOURCE_ROOTS = [workDir, PACKAGE_ROOT].join(':');
}
