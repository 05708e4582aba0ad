/** `POST /v2/repository/index` (Triton's repository extension, read-only): what this replica serves, and what it could not load. */
import { HttpError } from '../../protocol/httpError';
import { authorizeInference } from '../bearerAuth';
import type { RouteCall } from '../dispatch';
import type { GatewayContext } from '../gatewayContext';
import { parseJson, readBody, sendJson } from '../httpBody';
import { repositoryIndex } from '../repositoryIndex';

/** Largest index request accepted: its body is at most `{"ready": true}`. */
const INDEX_BODY_LIMIT = 4096;

/** The index; behind the inference token when one is set (it names every model the replica serves). */
export async function repositoryIndexRoute(context: GatewayContext, call: RouteCall): Promise<void> {
  authorizeInference(call.req.headers.authorization, context.inferenceToken);
  const body = await readBody(call.req, INDEX_BODY_LIMIT);
  const request = body.length === 0 ? {} : parseJson(body);
  if (typeof request !== 'object' || request === null || Array.isArray(request)) throw new HttpError(400, 'the index request body must be a JSON object');
  const { ready } = request as { ready?: unknown };
  if (ready !== undefined && typeof ready !== 'boolean') throw new HttpError(400, '"ready" must be true or false');
  sendJson(call.res, 200, repositoryIndex(context.registry, context.reconciler.status(), ready === true));
}

/** Loading and unloading are declarative (routing documents in the store): the repository's write routes answer 405. */
export function repositoryWrite(): never {
  throw new HttpError(405, 'models load from the routing documents in the store; deploy or roll back with modelship instead', { allow: 'POST' });
}
