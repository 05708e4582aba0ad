/**
 * Once per integration run: a Temporal dev server (in memory, with its web UI for the browser test), a SeaweedFS S3 server,
 * the workflow bundle and the example models. Addresses reach the tests through process.env.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { writeFile } from 'node:fs/promises';
import { freePorts } from '../../cli/dev/ports';
import { PACKAGE_ROOT, venvTool } from '../../cli/dev/projectPaths';
import { startTemporalDevServer } from '../../cli/dev/temporalDevServer';
import { startS3Server } from './s3Server';
import { TEST_ENV, type GlobalHandles } from './testEnv';

export default async function globalSetup(): Promise<void> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'modelship-test-'));
  const modelsDir = path.join(workDir, 'models');
  for (const script of ['makeModels.py', 'makeFrameworkModels.py']) {
    execFileSync(venvTool('python'), [path.join(PACKAGE_ROOT, 'examples/models', script), modelsDir], { stdio: 'pipe' });
  }

  const bundlePath = path.join(workDir, 'workflow-bundle.js');
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
  await writeFile(bundlePath, code);

  // The UI is served by the dev server's own process: enabling it costs a port, not a second server.
  const [port, uiPort] = (await freePorts(2)) as [number, number];
  const [temporal, s3] = await Promise.all([startTemporalDevServer({ port, uiPort, logTo: path.join(workDir, 'temporal.log') }), startS3Server()]);
  (globalThis as GlobalHandles).__modelshipTest = { temporal, s3, workDir };

  process.env[TEST_ENV.temporalAddress] = temporal.address;
  process.env[TEST_ENV.temporalUi] = temporal.uiUrl;
  process.env[TEST_ENV.s3Endpoint] = s3.endpoint;
  process.env[TEST_ENV.workDir] = workDir;
  process.env[TEST_ENV.modelsDir] = modelsDir;
  process.env[TEST_ENV.workflowBundle] = bundlePath;
  // Workers (and stage code run in the tests) read sources from this run's folder and the project's examples.
  process.env.MODELSHIP_SOURCE_ROOTS = [workDir, PACKAGE_ROOT].join(':');
}
