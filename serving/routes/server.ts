/** Routes about the server itself: KServe v2 server metadata, liveness, readiness, and Prometheus `/metrics`. */
import { packageVersion } from '../../sdk/packageRoot';
import type { RouteCall } from '../dispatch';
import type { GatewayContext } from '../gatewayContext';
import { sendJson } from '../httpBody';

export const SERVER_NAME = 'modelship';
/** The version in Modelship's `package.json`. */
export const SERVER_VERSION = packageVersion();

/** `GET /v2`: the server's name, version and protocol extensions. */
export function serverMetadata(_context: GatewayContext, call: RouteCall): void {
  sendJson(call.res, 200, { name: SERVER_NAME, version: SERVER_VERSION, extensions: ['binary_tensor_data', 'model_repository'] });
}

/** `GET /v2/health/live`: the process answers. */
export function live(_context: GatewayContext, call: RouteCall): void {
  sendJson(call.res, 200, { live: true });
}

/** `GET /v2/health/ready`: 200 once the replica has applied the store's routing, 503 before. */
export function ready(context: GatewayContext, call: RouteCall): void {
  const isReady = context.reconciler.ready;
  sendJson(call.res, isReady ? 200 : 503, { ready: isReady });
}

/** `GET /metrics`: the replica's Prometheus metrics. */
export async function prometheusMetrics(context: GatewayContext, call: RouteCall): Promise<void> {
  const { registry } = context.metrics;
  call.res.writeHead(200, { 'content-type': registry.contentType });
  call.res.end(await registry.metrics());
}
