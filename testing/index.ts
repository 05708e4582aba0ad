/**
 * `modelship/testing`: the local environment for your own tests, in the style of Temporal's
 * `TestWorkflowEnvironment` — {@link ModelshipTestEnvironment} starts a Temporal dev server, a CPU
 * worker and a gateway on free ports over a temporary store, with a connected client — plus free
 * ports and bounded synthetic traffic for canary tests. Tested with stock jest (CommonJS). The dev server and the converters come from the toolchain `npx modelship setup`
 * installs (installed on first use if missing), or the binaries named by `MODELSHIP_TEMPORAL_BIN` and
 * `MODELSHIP_PYTHON`. Processes it starts are stopped when the test process dies, even by SIGKILL.
 *
 * @example
 * import path from 'node:path';
 * import { loadPipelineSpec } from 'modelship/client';
 * import { ModelshipTestEnvironment } from 'modelship/testing';
 *
 * let env: ModelshipTestEnvironment;
 * beforeAll(async () => {
 *   env = await ModelshipTestEnvironment.create(); // free ports, a temporary store, headless
 * }, 180_000);
 * afterAll(() => env?.teardown());
 *
 * test('the model is promoted', async () => {
 *   const deployment = await env.client.deploy(await loadPipelineSpec(path.join(__dirname, 'pipeline.ts')));
 *   expect((await deployment.result()).outcome).toBe('promoted');
 * });
 *
 * `startDevEnvironment` is the lower-level form (`modelship dev` runs it): you choose ports and state.
 */
export { ModelshipTestEnvironment, type TestEnvironmentOptions } from './testEnvironment';
export { startDevEnvironment, type DevEnvironment, type DevEnvironmentOptions } from '../cli/dev/devEnvironment';
export { freePort } from '../cli/dev/ports';
export { startTraffic, LoopbackOnlyError, type TrafficOptions, type TrafficResult } from '../cli/trafficGenerator';
export * from '../sdk/errors'; // ModelshipError and its subclasses, to catch what a test's client throws
