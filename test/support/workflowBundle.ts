/**
 * The workflow bundle an integration run's workers load (`MODELSHIP_WORKFLOW_BUNDLE`): the one
 * `npm run bundle:workflows` wrote (which `npm test` runs just before jest), copied while it was
 * built from the sources as they are now; bundled here otherwise (jest run on its own).
 */
import { copyFile } from 'node:fs/promises';
import { bundleWorkflows, DEFAULT_BUNDLE_PATH } from '../../scripts/bundleWorkflows';
import { bundleCurrent } from '../../scripts/workflowBundleInputs';

/** Writes the workflow bundle to `bundlePath`. */
export async function makeWorkflowBundle(bundlePath: string): Promise<void> {
  if (await bundleCurrent(DEFAULT_BUNDLE_PATH)) await copyFile(DEFAULT_BUNDLE_PATH, bundlePath);
  else await bundleWorkflows(bundlePath);
}
