/**
 * The admin routes (the route table puts the bearer-token check in front of them): reconcile with
 * the store now, this replica's status, and the stats window the analysis activity reads.
 */
import { HttpError } from '../../protocol/httpError';
import { requireParam, type RouteCall } from '../dispatch';
import type { GatewayContext } from '../gatewayContext';
import { sendJson } from '../httpBody';
import type { EndpointRoute } from '../modelRegistry';

/** `POST /admin/reconcile`: applies the store's routing now (the nudge after a routing write). */
export async function reconcileNow(context: GatewayContext, call: RouteCall): Promise<void> {
  await context.reconciler.reconcile();
  sendJson(call.res, 200, { replicaId: context.replicaId, endpoints: context.reconciler.status() });
}

/** `GET /admin/status`: readiness, what each endpoint has applied, and the routes served. */
export function replicaStatus(context: GatewayContext, call: RouteCall): void {
  const { registry, reconciler } = context;
  sendJson(call.res, 200, {
    replicaId: context.replicaId,
    ready: reconciler.ready,
    endpoints: reconciler.status(),
    routes: Object.fromEntries(registry.endpoints().map((e) => [e, describeRoute(registry.route(e))])),
  });
}

/** `GET /admin/stats/<endpoint>?since=&until=`: the raw samples of the window (epoch ms; until defaults to now). */
export function endpointStats(context: GatewayContext, call: RouteCall): void {
  const endpoint = requireParam(call, 'endpoint');
  const query = call.url.searchParams;
  const since = Number(query.get('since') ?? 0);
  const until = query.has('until') ? Number(query.get('until')) : Date.now();
  if (!Number.isFinite(since) || since < 0) throw new HttpError(400, 'since must be epoch milliseconds');
  if (!Number.isFinite(until) || until < since) throw new HttpError(400, 'until must be epoch milliseconds, not before since');
  sendJson(call.res, 200, {
    replicaId: context.replicaId,
    endpoint,
    generation: context.registry.route(endpoint)?.generation ?? 0,
    ...context.stats.snapshot(endpoint, since, until),
  });
}

function describeRoute(route: EndpointRoute | undefined) {
  if (!route) return undefined;
  return {
    generation: route.generation,
    versions: route.versions.map((v) => ({ version: v.loaded.version, digest: v.loaded.digest, weight: v.weight, queueDepth: v.loaded.executor.queueDepth })),
    stickyHeader: route.stickyHeader,
    match: route.match,
    shadow: route.shadow && { version: route.shadow.loaded.version, percent: route.shadow.percent },
  };
}
