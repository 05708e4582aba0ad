/**
 * `modelship/schemas`: the zod schemas of every Modelship document (pipeline specs, artifacts,
 * routing, reports), their types, the wire names (task queues, workflow ids, search attributes) and
 * the failure types; plus the pipeline spec as JSON Schema. Pure and workflow-safe: zod and
 * `@temporalio/common` only, so workflow code may import it.
 *
 * @example
 * import { parseOrThrow, pipelineSpec, type PipelineSpec } from 'modelship/schemas';
 *
 * const spec: PipelineSpec = parseOrThrow(pipelineSpec, JSON.parse(text), 'pipeline.json');
 * spec.stages.benchmark.budget; // 20000: defaults filled in, durations in milliseconds
 */
export * from '../schemas';
export * from '../constants';
export * from '../names';
export * from '../errors';
export { pipelineSpecJsonSchema } from '../schemas/jsonSchema';
