/** The specs the replay recorder deploys (the classifier examples, model stages off, on the endpoint `replay`) and the approval-gated canary several scenarios start from. */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../../cli/dev/projectPaths';
import type { ModelshipClient, DeploymentHandle } from '../../sdk/client';
import type { PipelineSpecInput } from '../../sdk/schemas';

export const ENDPOINT = 'replay';
export const model = (name: string) => pathToFileURL(path.join(PACKAGE_ROOT, 'examples', 'models', `${name}.onnx`)).href;
/** `classifier_perturbed` answers differently: its change is accepted before traffic, so that the release or the canary judges it. */
export const spec = (version: string, source: string, rollout: PipelineSpecInput['rollout'] = { strategy: 'direct' }): PipelineSpecInput => ({
  endpoint: ENDPOINT,
  version,
  model: { source: model(source), task: 'classifier' },
  stages: {
    optimize: { enabled: false },
    benchmark: { enabled: false },
    ...(source === 'classifier_perturbed' ? { validate: { behaviour: { acceptChange: 'a different model, judged after the gate' } } } : {}),
  },
  rollout,
});
export const analysis = { minSamples: 30 };

/** Releases v1 to `endpoint`, then starts v2 as a canary whose one step waits for approval. */
export async function approvalGatedCanary(client: ModelshipClient, endpoint: string, scenario: string): Promise<DeploymentHandle> {
  const stable = await (await client.deploy({ ...spec('v1', 'classifier'), endpoint })).result();
  if (stable.outcome !== 'promoted') throw new Error(`${scenario}: v1 ${stable.outcome} (${stable.failure?.message ?? ''})`);
  const rollout: PipelineSpecInput['rollout'] = {
    strategy: 'canary',
    watch: { duration: 0 },
    steps: [{ weight: 25, bake: '1s', analysis: false, approval: { timeout: '10m' } }],
  };
  return client.deploy({ ...spec('v2', 'classifier', rollout), endpoint });
}

export async function untilAwaitingApproval(deployment: DeploymentHandle, scenario: string): Promise<void> {
  for (let waited = 0; (await deployment.status()).rollout?.state !== 'awaiting-approval'; waited += 200) {
    if (waited > 60_000) throw new Error(`${scenario}: the canary never awaited approval`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
