/**
 * Every HTTP route of the gateway, in one table: KServe v2 (and Triton's read-only repository index) under `/v2`, the admin routes under
 * `/admin` (bearer token first), and Prometheus `/metrics`. The handlers live in `routes/`; the
 * matching, 404/405 and error answers in `dispatch.ts`.
 */
import { authorize } from './bearerAuth';
import type { RouteArea } from './dispatch';
import type { GatewayContext } from './gatewayContext';
import { endpointStats, reconcileNow, replicaStatus } from './routes/admin';
import { listFaults, setFault } from './routes/faults';
import { infer } from './routes/infer';
import { missingVersion, modelMetadata, modelReady } from './routes/models';
import { repositoryIndexRoute, repositoryWrite } from './routes/repository';
import { live, prometheusMetrics, ready, serverMetadata } from './routes/server';

const INFER_TAKES_POST = 'infer takes POST';

export const GATEWAY_ROUTES: readonly RouteArea<GatewayContext>[] = [
  {
    under: 'v2',
    routes: [
      { method: 'GET', path: '/v2', handle: serverMetadata },
      { method: 'GET', path: '/v2/health/live', handle: live },
      { method: 'GET', path: '/v2/health/ready', handle: ready },
      { method: 'GET', path: '/v2/models/:model', handle: modelMetadata },
      { method: 'GET', path: '/v2/models/:model/versions/:version', handle: modelMetadata },
      { method: 'GET', path: '/v2/models/:model/ready', handle: modelReady },
      { method: 'GET', path: '/v2/models/:model/versions/:version/ready', handle: modelReady },
      { method: 'POST', path: '/v2/models/:model/infer', handle: infer, wrongMethod: INFER_TAKES_POST },
      { method: 'POST', path: '/v2/models/:model/versions/:version/infer', handle: infer, wrongMethod: INFER_TAKES_POST },
      { method: '*', path: '/v2/models/:model/versions', handle: missingVersion },
      { method: 'POST', path: '/v2/repository/index', handle: repositoryIndexRoute, wrongMethod: 'the repository index takes POST' },
      { method: '*', path: '/v2/repository/models/:model/load', handle: repositoryWrite },
      { method: '*', path: '/v2/repository/models/:model/unload', handle: repositoryWrite },
    ],
    notFound: (method, _segments, pathname) => `no route ${method} ${pathname}`,
  },
  {
    under: 'admin',
    guard: (context, req) => authorize(req.headers.authorization, context.adminToken, 'MODELSHIP_ADMIN_TOKEN'),
    routes: [
      { method: 'POST', path: '/admin/reconcile', handle: reconcileNow },
      { method: 'GET', path: '/admin/status', handle: replicaStatus },
      { method: 'GET', path: '/admin/stats/:endpoint', handle: endpointStats },
      { method: 'POST', path: '/admin/faults', handle: setFault },
      { method: 'GET', path: '/admin/faults', handle: listFaults },
    ],
    notFound: (method, segments) => `no admin route ${method} /admin/${segments.slice(1).join('/')}`,
  },
  {
    routes: [{ method: 'GET', path: '/metrics', handle: prometheusMetrics }],
    notFound: (_method, _segments, pathname) => `no route ${pathname}; the inference API is under /v2`,
  },
];
