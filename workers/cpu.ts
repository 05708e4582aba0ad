/**
 * The CPU worker process: Modelship workflows (task queue `modelship`) and CPU activities
 * (`modelship-cpu`). Configured from the environment (see `workers/options.ts`).
 *
 * @example
 * TEMPORAL_ADDRESS=127.0.0.1:7233 MODELSHIP_STORE=s3://models/prod node --import tsx workers/cpu.ts
 */
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { OnnxRuntime } from '../runtime';
import { ACTIVITY_TASK_QUEUES, WORKFLOW_TASK_QUEUE } from '../sdk/constants';
import { describeSourcePolicy } from '../activities/ingest/sourcePolicy';
import { pythonToolchainProblem } from '../activities/python/toolchainCheck';
import { workerFailureText } from './workerFailure';
import { withWorkerConnection, workerSettingsFromEnv, workflowSource, type WorkerSettings } from './options';

export async function runCpuWorker(settings: WorkerSettings = workerSettingsFromEnv()): Promise<void> {
  await withWorkerConnection(settings, async (shared, store) => {
    const activities = createActivities({
      store,
      runtime: new OnnxRuntime(),
      adminToken: settings.adminToken,
      sources: settings.sources,
      webhooks: settings.webhooks,
    });
    const workflowWorker = await Worker.create({
      ...shared,
      taskQueue: WORKFLOW_TASK_QUEUE,
      ...workflowSource(settings),
      maxCachedWorkflows: settings.maxCachedWorkflows,
      maxConcurrentWorkflowTaskExecutions: settings.workflowConcurrency,
    });
    const activityWorker = await Worker.create({
      ...shared,
      taskQueue: ACTIVITY_TASK_QUEUES.cpu,
      activities,
      maxConcurrentActivityTaskExecutions: settings.activityConcurrency,
    });
    console.log(
      `modelship cpu worker ready: ${settings.connection.address} namespace ${settings.connection.namespace}, ` +
        `queues ${WORKFLOW_TASK_QUEUE} + ${ACTIVITY_TASK_QUEUES.cpu}, store ${store.uri}`,
    );
    console.log(describeSourcePolicy(settings.sources));
    const toolchainProblem = await pythonToolchainProblem();
    if (toolchainProblem) console.warn(`warning: ${toolchainProblem}\nModel conversions and checks will fail until it is fixed.`);
    await Promise.all([workflowWorker.run(), activityWorker.run()]);
  });
}

if (require.main === module) {
  runCpuWorker().catch((error: unknown) => {
    console.error(workerFailureText('cpu', error));
    process.exitCode = 1;
  });
}
