/** `modelship worker`: run the CPU worker (workflows + CPU activities) in this process. */
import type { Command } from '../command';
import { runCpuWorker } from '../../workers/cpu';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'run a CPU worker (workflows and CPU activities); configured by TEMPORAL_* and MODELSHIP_* variables',
  usage: 'modelship worker',
  async run() {
    await runCpuWorker();
    return 0;
  },
};
