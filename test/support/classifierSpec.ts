/** The spec integration tests deploy most: the example classifier, straight to release (no optimize or benchmark), with the rollout under test. */
import { pathToFileURL } from 'node:url';
import type { PipelineSpecInput } from '../../sdk/schemas';
import { modelPath } from './testEnv';

export function classifierSpec(endpoint: string, version: string, rollout: PipelineSpecInput['rollout']): PipelineSpecInput {
  return {
    endpoint,
    version,
    model: { source: pathToFileURL(modelPath('classifier')).href, task: 'classifier' },
    stages: { optimize: { enabled: false }, benchmark: { enabled: false } },
    rollout,
  };
}
