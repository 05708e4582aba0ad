/**
 * Modelship: take a trained model to production safely, as a durable Temporal workflow.
 *
 * @example
 * import { ModelshipClient, loadPipelineSpec } from 'modelship';
 * const client = await ModelshipClient.connect();
 * const result = await (await client.deploy(await loadPipelineSpec('pipeline.yaml'))).result();
 */
export * from './schemas';
export * from './constants';
export * from './names';
export * from './errors';
export { abortUpdate, approveUpdate, deploymentStatusQuery, pauseUpdate, resumeUpdate, type ControlRequest, type RollbackRequest } from './definitions';
export { definePipeline } from './definePipeline';
export { loadPipelineSpec } from './specFile';
export { resolveModelSource } from './specSources';
export { checkSpecSources } from './specSources';
export { resolveConnection, DEFAULT_TEMPORAL_ADDRESS, type ConnectionOverrides, type ResolvedConnection } from './connection';
export * from './client'; // ModelshipClient, its handles, DeployOptions, DeploymentEvent, …; its errors come with ./errors
