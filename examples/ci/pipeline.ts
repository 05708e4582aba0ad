/**
 * The pipeline the CI example (`github-actions.yml`) deploys. A TypeScript spec, so the job hands
 * it values from its environment:
 *
 * - `MODEL_URI`: where the workers read the model, `s3://bucket/key` (or `file:///…` when workers
 *   and job share a filesystem). Workers read it, not the job: a path on the CI runner will not do.
 * - `ENDPOINT`: the endpoint to deploy to (default `classifier`).
 *
 * The version comes from `modelship deploy --version`. The first release of an endpoint goes out
 * directly (there is no stable version to compare with); later ones as a canary, which is judged on
 * live traffic: with too little traffic it is rolled back as `AnalysisInconclusive`.
 */
import { definePipeline, InvalidSpecError } from '../../sdk';

const source = process.env.MODEL_URI;
if (!source) {
  throw new InvalidSpecError(__filename, [{ path: 'model.source', message: 'set MODEL_URI to the model the workers should read (s3://bucket/key)' }]);
}

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
