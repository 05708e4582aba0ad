/** The integration tests' same-model canaries: every analysis they are judged by (steps, blue/green window, watch) checks prediction shift at SAME_MODEL_ALPHA. */
import { parseOrThrow, pipelineSpec, type PipelineSpecInput } from '../../sdk/schemas';
import { watchPlanOf } from '../../workflows/rollout/watchPlan';
import { SAME_MODEL_ALPHA, sameModelAnalysis, sameModelRollout } from '../support/classifierSpec';

const parse = (rollout: NonNullable<PipelineSpecInput['rollout']>) =>
  parseOrThrow(pipelineSpec, { endpoint: 'iris', version: 'v2', model: { source: './m.onnx' }, rollout: sameModelRollout(rollout) }, 'test').rollout;

test('a canary is judged at the same-model alpha in its steps and, by default, in its watch; its other thresholds are kept', () => {
  const rollout = parse({ strategy: 'canary', steps: [{ weight: 50, bake: '2s' }], analysis: { minSamples: 20, predictions: { maxPsi: 0.3 } } });
  expect(rollout.strategy === 'canary' && rollout.analysis).toMatchObject({ minSamples: 20, predictions: { alpha: SAME_MODEL_ALPHA, maxPsi: 0.3 } });
  expect(watchPlanOf(rollout)?.checks?.predictions.alpha).toBe(SAME_MODEL_ALPHA);
});

test("a watch's own checks and a blue/green window are judged at the same-model alpha too", () => {
  const own = parse({ strategy: 'canary', watch: { duration: '4s', interval: '2s', checks: { minSamples: 3 } } });
  expect(watchPlanOf(own)?.checks).toMatchObject({ minSamples: 3, predictions: { alpha: SAME_MODEL_ALPHA } });
  const direct = parse({ strategy: 'direct', watch: { duration: '4s', interval: '2s' } });
  expect(watchPlanOf(direct)?.checks?.predictions.alpha).toBe(SAME_MODEL_ALPHA);
  const blueGreen = parse({ strategy: 'blueGreen', rollbackWindow: '3s', analysisInterval: '1s' });
  expect(watchPlanOf(blueGreen)?.checks?.predictions.alpha).toBe(SAME_MODEL_ALPHA);
});

test('an alpha a test sets is kept; a direct release without a watch is left as it is', () => {
  expect(sameModelAnalysis({ predictions: { alpha: 0.01 } }).predictions?.alpha).toBe(0.01);
  expect(sameModelRollout({ strategy: 'direct' })).toEqual({ strategy: 'direct' });
});
