/**
 * TEST STAND-IN, never a product path: a worker on the GPU task queue (`modelship-gpu`) whose runtime
 * runs every model on the CPU, whatever execution providers it is asked for, and says so (its
 * sessions report provider `cpu`). It lets this CPU-only machine run a pipeline with
 * `targets: [cpu, gpu]` end to end, to test that each target's pick is routed and served where it
 * belongs; it measures nothing about GPUs. The product's GPU worker (`workers/gpu.ts`) refuses to
 * start without a GPU.
 *
 * @example
 * TEMPORAL_ADDRESS=127.0.0.1:7233 MODELSHIP_STORE=/tmp/store node --import tsx test/support/cpuStandInGpuWorker.ts
 */
import { Worker } from '@temporalio/worker';
import { createModelActivities } from '../../activities';
import { OnnxRuntime, type ModelRuntime, type ModelSession, type SessionOptions } from '../../runtime';
import { ACTIVITY_TASK_QUEUES } from '../../sdk/constants';
import { withWorkerConnection, workerSettingsFromEnv } from '../../workers/options';

/** Loads every model on the CPU provider, whatever `executionProviders` asks for. */
class CpuStandInRuntime implements ModelRuntime {
  private readonly cpu = new OnnxRuntime();
  readonly version = this.cpu.version;

  load(model: Uint8Array, options: SessionOptions = {}): Promise<ModelSession> {
    return this.cpu.load(model, { ...options, executionProviders: ['cpu'] });
  }
}

async function main(): Promise<void> {
  const settings = workerSettingsFromEnv();
  await withWorkerConnection(settings, async (shared, store) => {
    const worker = await Worker.create({
      ...shared,
      taskQueue: ACTIVITY_TASK_QUEUES.gpu,
      activities: createModelActivities({ store, runtime: new CpuStandInRuntime(), adminToken: settings.adminToken }),
      maxConcurrentActivityTaskExecutions: 1,
    });
    console.log(`cpu stand-in for a gpu worker ready: queue ${ACTIVITY_TASK_QUEUES.gpu}, every model on the CPU`);
    await worker.run();
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
