/** Routes about one model (endpoint), optionally one version: `GET /v2/models/<name>[/versions/<v>]` and `.../ready`. */
import { HttpError } from '../../protocol/httpError';
import { requireParam, type RouteCall } from '../dispatch';
import type { GatewayContext } from '../gatewayContext';
import { sendJson } from '../httpBody';
import { describeModel, modelReadiness } from '../modelInfo';

/** The endpoint and (when the path has `/versions/<v>`) the version a `/v2/models/...` path names. */
export function modelOf(call: RouteCall): { endpoint: string; version: string | undefined } {
  return { endpoint: requireParam(call, 'model'), version: call.params.version };
}

/** Model metadata: its versions, platform, and the inputs and outputs of the version named (or the primary one). */
export function modelMetadata(context: GatewayContext, call: RouteCall): void {
  const { endpoint, version } = modelOf(call);
  sendJson(call.res, 200, describeModel(context, endpoint, version));
}

/** 200 when the model (or the version named) is loaded and serving; 503 with the reason when the store routes it but it is not loaded here; 404 when unknown. */
export function modelReady(context: GatewayContext, call: RouteCall): void {
  const { endpoint, version } = modelOf(call);
  const { status, ready, reason } = modelReadiness(context, endpoint, version);
  sendJson(call.res, status, { name: endpoint, ready, ...(reason !== undefined ? { reason } : {}) });
}

/** `/v2/models/<name>/versions` without a version, whatever the method. */
export function missingVersion(): never {
  throw new HttpError(404, 'missing version after /versions/');
}
