/**
 * The spec integration tests deploy most: the example classifier, straight to release (no optimize or
 * benchmark), with the rollout under test; and the prediction-shift threshold for a canary that is
 * the stable version's own model.
 */
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import type { analysisConfig, PipelineSpecInput } from '../../sdk/schemas';
import { modelPath } from './testEnv';

type Rollout = NonNullable<PipelineSpecInput['rollout']>;
type AnalysisInput = z.input<typeof analysisConfig>;

/**
 * The prediction-shift check's significance level for a canary that answers as stable does (the same
 * model): a judged window of up to ~100 requests a side fails it spuriously with a chance of about
 * `alpha` (0.01 by default; larger windows almost never, as PSI must also exceed `maxPsi`), and the
 * suite judges some forty such windows, so at the default about one run in five would roll back a good
 * canary. At 0.0001 the whole suite's chance is under 1 %; a different model's shift still fails it.
 */
export const SAME_MODEL_ALPHA = 0.0001;

/** `analysis` with the prediction-shift check at {@link SAME_MODEL_ALPHA} unless it sets its own. */
export function sameModelAnalysis(analysis: AnalysisInput = {}): AnalysisInput {
  return { ...analysis, predictions: { alpha: SAME_MODEL_ALPHA, ...analysis.predictions } };
}

/** `rollout` with every analysis it judges a same-model canary by (steps, blue/green window, watch) at {@link SAME_MODEL_ALPHA}. */
export function sameModelRollout(rollout: Rollout): Rollout {
  // A canary's or blue/green's watch without checks of its own is judged by its `analysis`; a direct release's by defaults.
  const ownChecks = rollout.watch && (rollout.strategy === 'direct' || rollout.watch.checks);
  const watch = ownChecks ? { watch: { ...rollout.watch, checks: sameModelAnalysis(rollout.watch?.checks) } } : {};
  if (rollout.strategy === 'direct') return { ...rollout, ...watch };
  return { ...rollout, analysis: sameModelAnalysis(rollout.analysis), ...watch };
}

/**
 * A spec deploying the example classifier (ONNX, no optimize or benchmark stage) to `endpoint` as
 * `version`; its rollout judges the canary as the same model as stable ({@link sameModelRollout}).
 */
export function classifierSpec(endpoint: string, version: string, extra: Partial<PipelineSpecInput> = {}): PipelineSpecInput {
  return {
    endpoint,
    version,
    model: { source: pathToFileURL(modelPath('classifier')).href, task: 'classifier' },
    stages: { optimize: { enabled: false }, benchmark: { enabled: false } },
    ...extra,
    ...(extra.rollout ? { rollout: sameModelRollout(extra.rollout) } : {}),
  };
}
