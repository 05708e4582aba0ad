/** `modelship worker [--gpu] [--webhook <url>[,format=slack]]…`: run a CPU worker (workflows + CPU activities) or a GPU worker in this process. */
import { z } from 'zod';
import { defineCommand } from '../command';
import { webhookFromFlag } from '../../activities/notify/workerWebhooks';
import { runCpuWorker } from '../../workers/cpu';
import { runGpuWorker } from '../../workers/gpu';
import { workerSettingsFromEnv } from '../../workers/options';

const usage = `modelship worker [--gpu] [--webhook <url>[,format=slack]]...
  configured by TEMPORAL_* and MODELSHIP_* variables (MODELSHIP_STORE, MODELSHIP_ACTIVITY_CONCURRENCY, MODELSHIP_GPU_DEVICES, MODELSHIP_WEBHOOKS)
  --webhook  a CPU worker's own webhook, told of every deployment's events (besides MODELSHIP_WEBHOOKS and the spec's); repeatable`;

export const workerCommand = defineCommand({
  name: 'worker',
  summary: 'run a CPU worker (workflows and CPU activities), or with --gpu a GPU activity worker',
  usage,
  flags: { gpu: { type: 'boolean' }, webhook: { type: 'string', multiple: true } },
  options: z.object({ gpu: z.boolean().default(false), webhook: z.array(z.string()).default([]) }),
  async run(options) {
    if (options.gpu) {
      await runGpuWorker();
      return 0;
    }
    const settings = workerSettingsFromEnv();
    await runCpuWorker({ ...settings, webhooks: [...settings.webhooks, ...options.webhook.map(webhookFromFlag)] });
    return 0;
  },
});
