/**
 * `modelship/client`: start deployments and follow or control them from any Node process (CI jobs,
 * services, scripts), over @temporalio/client. Everything `sdk/client/` exports (with every
 * `ModelshipError`), plus what a caller needs around it: connection settings and spec loading.
 *
 * @example
 * import { ModelshipClient, loadPipelineSpec } from 'modelship/client';
 *
 * const client = await ModelshipClient.connect(); // TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, … or overrides
 * try {
 *   const deployment = await client.deploy(await loadPipelineSpec('pipeline.yaml', { version: 'v2' }));
 *   const result = await deployment.follow((status) => console.log(status.phase));
 *   if (result.outcome !== 'promoted') process.exitCode = 1;
 * } finally {
 *   await client.close();
 * }
 */
export * from '../client';
export { resolveConnection, DEFAULT_TEMPORAL_ADDRESS, type ConnectionOverrides, type ResolvedConnection } from '../connection';
export { definePipeline } from '../definePipeline';
export { loadPipelineSpec } from '../specFile';
export { resolveModelSource } from '../specSources';
export { FAILURE_TYPES, isFailureType, type FailureType } from '../errors'; // the error classes come with ../client
export type { DeploymentResult, DeploymentStatus, Outcome, Phase, PipelineSpec, PipelineSpecInput } from '../schemas';
