/**
 * `modelship/worker`: run Modelship's workers in your own process, or build your own worker around
 * Modelship's workflows and activities (to add your activities, interceptors or sinks).
 *
 * @example
 * // The stock CPU worker (workflows + CPU activities), configured from TEMPORAL_* and MODELSHIP_* variables:
 * import { runCpuWorker } from 'modelship/worker';
 * await runCpuWorker();
 *
 * @example
 * // Your own worker: Modelship's workflows and activities next to yours.
 * import { NativeConnection, Worker } from '@temporalio/worker';
 * import { createActivities } from 'modelship/activities';
 * import { ACTIVITY_TASK_QUEUES, OnnxRuntime, openStore, workerSettingsFromEnv, workflowSource, WORKFLOW_TASK_QUEUE } from 'modelship/worker';
 *
 * const settings = workerSettingsFromEnv();
 * const connection = await NativeConnection.connect(settings.connection.connectionOptions);
 * const activities = createActivities({ store: openStore(settings.storeUri), runtime: new OnnxRuntime(), adminToken: settings.adminToken });
 * const workflows = await Worker.create({ connection, taskQueue: WORKFLOW_TASK_QUEUE, ...workflowSource(settings) });
 * const stages = await Worker.create({ connection, taskQueue: ACTIVITY_TASK_QUEUES.cpu, activities });
 * await Promise.all([workflows.run(), stages.run()]);
 */
export { runCpuWorker } from './cpu';
export { runGpuWorker } from './gpu';
export { workerSettingsFromEnv, workflowSource, type WorkerSettings } from './options';
export { ACTIVITY_TASK_QUEUES, WORKFLOW_TASK_QUEUE } from '../sdk/constants';
export { OnnxRuntime, type ModelRuntime } from '../runtime';
export { DEFAULT_STORE_URI, openStore, type ArtifactStore, type OpenStoreOptions } from '../store';
export * from '../sdk/errors'; // ModelshipError and every error class, as from each entry
