/**
 * The GPU worker process: activity-only, on task queue `modelship-gpu`, running the hardware-bound
 * stages (validate, benchmark) with onnxruntime's TensorRT or CUDA execution provider — never
 * silently on the CPU. One activity at a time per device (`MODELSHIP_GPU_DEVICES`, default 1).
 *
 * At start it loads a probe model on the GPU providers; without one it says so and exits 1, unless
 * `MODELSHIP_GPU_ALLOW_MISSING=1` (then every GPU activity fails, naming what it tried).
 *
 * @example
 * TEMPORAL_ADDRESS=temporal:7233 MODELSHIP_STORE=s3://models/prod node --import tsx workers/gpu.ts
 */
import { Worker } from '@temporalio/worker';
import { createModelActivities } from '../activities';
import { OnnxRuntime } from '../runtime';
import { probeGpu } from '../runtime/gpuProbe';
import { ACTIVITY_TASK_QUEUES } from '../sdk/constants';
import { SetupError } from '../sdk/errors';
import { pythonToolchainProblem } from '../activities/python/toolchainCheck';
import { workerFailureText } from './workerFailure';
import { withWorkerConnection, workerSettingsFromEnv, type WorkerSettings } from './options';

export async function runGpuWorker(settings: WorkerSettings = workerSettingsFromEnv(), env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const runtime = new OnnxRuntime();
  const probe = await probeGpu(runtime);
  if (!probe.available) {
    if (env.MODELSHIP_GPU_ALLOW_MISSING !== '1') {
      throw new SetupError(
        probe.reason,
        'This machine cannot run GPU stages; start the GPU worker where CUDA is installed (or set MODELSHIP_GPU_ALLOW_MISSING=1 to start anyway).',
      );
    }
    console.warn(`warning: ${probe.reason}\nStarting anyway (MODELSHIP_GPU_ALLOW_MISSING=1): GPU activities will fail.`);
  }
  const devices = Math.max(1, Number(env.MODELSHIP_GPU_DEVICES ?? 1) || 1);
  await withWorkerConnection(settings, async (shared, store) => {
    const worker = await Worker.create({
      ...shared,
      taskQueue: ACTIVITY_TASK_QUEUES.gpu,
      activities: createModelActivities({ store, runtime, adminToken: settings.adminToken }),
      maxConcurrentActivityTaskExecutions: devices,
    });
    console.log(
      `modelship gpu worker ready: ${settings.connection.address} namespace ${settings.connection.namespace}, queue ${ACTIVITY_TASK_QUEUES.gpu}, ` +
        `${devices} device(s), provider ${probe.available ? probe.provider : 'none'}, store ${store.uri}`,
    );
    const toolchainProblem = await pythonToolchainProblem();
    if (toolchainProblem) console.warn(`warning: ${toolchainProblem}\nModel conversions and checks will fail until it is fixed.`);
    await worker.run();
  });
}

if (require.main === module) {
  runGpuWorker().catch((error: unknown) => {
    console.error(workerFailureText('gpu', error));
    process.exitCode = 1;
  });
}
