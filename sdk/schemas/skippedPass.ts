/**
 * A skipped optimization pass: what the optimize activity answers, instead of an artifact, when its pass
 * does not apply to the model (transformer fusion of a graph without attention blocks). Pure and workflow-safe.
 */
import type { ModelArtifact } from './artifact';

/** The pass did not apply to the model: why; no artifact was made. */
export interface SkippedPass {
  skipped: string;
}

/** Whether an optimize result is a skipped pass (results recorded before skips existed are plain artifacts). */
export function isSkippedPass(result: ModelArtifact | SkippedPass): result is SkippedPass {
  return 'skipped' in result;
}
