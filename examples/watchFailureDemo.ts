/**
 * The demo's `--watch-failure` part: a version healthy through its canary degrades after promotion
 * (the gateway's fault switch answers 30% of its requests with an injected 500 once its watch has
 * started), and the post-promotion watch returns all traffic to the previous version. Prints the
 * failed interval with its numbers, and how long it took until every replica served the previous version.
 */
import type { DeploymentResult, DeploymentStatus } from '../sdk/schemas';
import { watchIntervalLine } from '../sdk/watchSummary';

/** Deploys a spec file of the examples, calling `onStatus` on every status change. */
export type DeployFn = (specFile: string, onStatus: (status: DeploymentStatus) => void) => Promise<DeploymentResult>;

export async function watchFailureDemo(deploy: DeployFn, gatewayUrl: string, adminToken: string): Promise<DeploymentResult> {
  let injected: Promise<void> | undefined;
  const result = await deploy('onnx-classifier/watch-failure.yaml', (status) => {
    if (injected || status.rollout?.watch?.phase !== 'watching') return;
    injected = injectErrors(gatewayUrl, adminToken, status.endpoint, status.version);
  });
  await injected;
  await injectErrors(gatewayUrl, adminToken, result.endpoint, result.version, 0);
  const watch = result.rollout?.watch;
  const failed = watch?.intervals.at(-1);
  if (watch && failed) console.log(`  the watch's last interval: ${watchIntervalLine(failed, watch.intervals.length - 1, watch.previousVersion)}`);
  const back = result.rollout?.rollback;
  if (back)
    console.log(
      `  watch failed → every replica serves ${result.rollout?.stableVersion} again in ${Math.round(back.tookMs)} ms (verified ${JSON.stringify(back.verified)})`,
    );
  return result;
}

/** Turns the fault switch of `endpoint`/`version` on (30% errors) or off (0). */
async function injectErrors(gatewayUrl: string, adminToken: string, endpoint: string, version: string, errorRate = 0.3): Promise<void> {
  const response = await fetch(`${gatewayUrl}/admin/faults`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ endpoint, version, errorRate }),
  });
  if (!response.ok) throw new Error(`the gateway refused the fault switch (${response.status}): ${await response.text()}`);
  console.log(
    errorRate > 0
      ? `\n  ⚡ fault switch: ${errorRate * 100}% of ${version}'s requests now fail (injected), after its promotion`
      : `  fault switch off for ${version}`,
  );
}
