/** `modelship worker [--gpu]`: run a CPU worker (workflows + CPU activities) or a GPU worker in this process. */
import { z } from 'zod';
import { defineCommand } from '../command';
import { runCpuWorker } from '../../workers/cpu';
import { runGpuWorker } from '../../workers/gpu';

const usage = `modelship worker [--gpu]
  configured by TEMPORAL_* and MODELSHIP_* variables (MODELSHIP_STORE, MODELSHIP_ACTIVITY_CONCURRENCY, MODELSHIP_GPU_DEVICES)`;

export const workerCommand = defineCommand({
  name: 'worker',
  summary: 'run a CPU worker (workflows and CPU activities), or with --gpu a GPU activity worker',
  usage,
  flags: { gpu: { type: 'boolean' } },
  options: z.object({ gpu: z.boolean().default(false) }),
  async run(options) {
    await (options.gpu ? runGpuWorker() : runCpuWorker());
    return 0;
  },
});
