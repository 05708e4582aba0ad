/**
 * The fault switch's admin routes (`serving/faultInjection.ts`): `POST /admin/faults` sets the fault
 * of one endpoint and version (`{ endpoint, version, errorRate?, latencyMs? }`; both 0 clears it),
 * `GET /admin/faults` lists them. A gateway started without `--allow-fault-injection` answers 403.
 */
import { HttpError } from '../../protocol/httpError';
import type { RouteCall } from '../dispatch';
import { faultSettings, type FaultInjector } from '../faultInjection';
import type { GatewayContext } from '../gatewayContext';
import { parseJson, readBody, sendJson } from '../httpBody';

/** `POST /admin/faults`: sets one fault; answers the faults now set. */
export async function setFault(context: GatewayContext, call: RouteCall): Promise<void> {
  const faults = requireFaults(context);
  const parsed = faultSettings.safeParse(parseJson(await readBody(call.req, 64 * 1024)));
  if (!parsed.success)
    throw new HttpError(400, `a fault is { endpoint, version, errorRate (0-1), latencyMs }: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  faults.set(parsed.data);
  sendJson(call.res, 200, { replicaId: context.replicaId, faults: faults.list() });
}

/** `GET /admin/faults`: the faults set on this replica. */
export function listFaults(context: GatewayContext, call: RouteCall): void {
  sendJson(call.res, 200, { replicaId: context.replicaId, faults: requireFaults(context).list() });
}

function requireFaults(context: GatewayContext): FaultInjector {
  if (!context.faults)
    throw new HttpError(403, 'fault injection is off on this gateway: start it with --allow-fault-injection (or MODELSHIP_ALLOW_FAULT_INJECTION=1)');
  return context.faults;
}
