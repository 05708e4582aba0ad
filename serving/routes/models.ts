/** Routes about one model (endpoint), optionally one version: `GET /v2/models/<name>[/versions/<v>]` and `.../ready`. */
import { HttpError } from '../../protocol/httpError';
import { requireParam, type RouteCall } from '../dispatch';
import type { GatewayContext } from '../gatewayContext';
import { sendJson } from '../httpBody';
import { describeModel, isModelReady } from '../modelInfo';

/** The endpoint and (when the path has `/versions/<v>`) the version a `/v2/models/...` path names. */
export function modelOf(call: RouteCall): { endpoint: string; version: string | undefined } {
  return { endpoint: requireParam(call, 'model'), version: call.params.version };
}

/** Model metadata: its versions, platform, and the inputs and outputs of the version named (or the primary one). */
export function modelMetadata(context: GatewayContext, call: RouteCall): void {
  const { endpoint, version } = modelOf(call);
  sendJson(call.res, 200, describeModel(context.registry, endpoint, version));
}

/** 200 when the model (or the version named) is loaded and serving, 404 otherwise. */
export function modelReady(context: GatewayContext, call: RouteCall): void {
  const { endpoint, version } = modelOf(call);
  const isReady = isModelReady(context.registry, endpoint, version);
  sendJson(call.res, isReady ? 200 : 404, { name: endpoint, ready: isReady });
}

/** `/v2/models/<name>/versions` without a version, whatever the method. */
export function missingVersion(): never {
  throw new HttpError(404, 'missing version after /versions/');
}
