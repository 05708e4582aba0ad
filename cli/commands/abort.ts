/** `modelship abort <endpoint>/<version> --reason "..."`: stop a rollout; traffic returns to stable. */
import { controlCommand } from '../controlCommand';

export const abortCommand = controlCommand('abort', 'abort a rollout (all traffic returns to the stable version), or a deployment waiting for retry', (d, r) =>
  d.abort(r),
);
