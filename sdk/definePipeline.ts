/** `definePipeline`: a pipeline spec in TypeScript, with completion and checking from the schemas. */
import type { PipelineSpecInput } from './schemas/pipelineSpec';

/**
 * Declares a pipeline. Returns its argument; the types give editor completion and catch typos, and
 * the client validates it with the same schema as YAML specs.
 *
 * @example
 * export default definePipeline({
 *   endpoint: 'iris',
 *   version: 'v1',
 *   model: { source: './models/iris.onnx' },
 *   stages: { benchmark: { batchSizes: [1, 8] } },
 * });
 */
export function definePipeline(spec: PipelineSpecInput): PipelineSpecInput {
  return spec;
}
