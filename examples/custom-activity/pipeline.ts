/**
 * The ONNX classifier, deployed by a workflow of the team's own (`workflows.ts`): Modelship's stages
 * with a fairness check between selection and release, run by the team's worker on its own queue.
 * `run.ts` deploys it to two endpoints whose fairness policies differ.
 */
import { definePipeline } from 'modelship';

export default definePipeline({
  endpoint: 'governed-classifier',
  version: 'v1',
  model: { name: 'iris-classifier', source: '../models/classifier.onnx', task: 'classifier' },
  stages: {
    optimize: { enabled: false },
    benchmark: { windowRuns: 5, budget: '2s' },
  },
  rollout: { strategy: 'canary', steps: [{ weight: 10 }, { weight: 50 }] }, // the first release of an endpoint goes out directly
});
