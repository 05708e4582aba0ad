/**
 * The pipeline the CI example (`github-actions.yml`) deploys. A TypeScript spec, so the job hands
 * it values from its environment:
 *
 * - `MODEL_FILE`: the model, a path on the CI runner (relative to the job's working directory):
 *   `modelship deploy` uploads it to the workers' store (`MODELSHIP_STORE`) before it starts the
 *   deployment, so the runner and the workers share nothing but Temporal and the store. An
 *   `s3://bucket/key` URI the workers read themselves works too.
 * - `ENDPOINT`: the endpoint to deploy to (default `classifier`).
 *
 * The version comes from `modelship deploy --version`. The first release of an endpoint goes out
 * directly (there is no stable version to compare with); later ones as a canary, which is judged on
 * live traffic: with too little traffic it is rolled back as `AnalysisInconclusive`.
 */
import path from 'node:path';
import { definePipeline, InvalidSpecError } from '../../sdk';

const file = process.env.MODEL_FILE;
if (!file) {
  throw new InvalidSpecError(__filename, [{ path: 'model.source', message: 'set MODEL_FILE to the model file to deploy (or an s3://bucket/key URI)' }]);
}
const source = file.startsWith('s3://') ? file : path.resolve(file);

export default definePipeline({
  endpoint: process.env.ENDPOINT || 'classifier',
  version: 'dev', // replaced by --version
  model: { name: 'classifier', source, format: 'onnx', task: 'classifier' },
  stages: {
    // A small model measures in few runs; larger ones can keep the defaults.
    benchmark: { windowRuns: 50, budget: '5s' },
  },
  rollout: {
    strategy: 'canary',
    shadow: { percent: 100, bake: '2m' },
    steps: [
      { weight: 10, bake: '5m' },
      { weight: 50, bake: '10m' },
    ],
    analysis: { minSamples: 200 },
    timeout: '5m',
  },
});
