/** The bearer-token check of the admin routes (always) and the inference routes (when given a token). */
import { timingSafeEqual } from 'node:crypto';
import { HttpError } from '../protocol/httpError';

/**
 * Passes when the request's `authorization` header (REST) or metadata (gRPC) is `Bearer <token>`
 * (the scheme in any case, as RFC 7235 says; the token compared in constant time); a 401 otherwise, and a 403 naming `variable` when the gateway has no
 * token at all.
 */
/** The inference routes' check (REST and gRPC): open without an inference token, else {@link authorize}. */
export function authorizeInference(authorization: string | undefined, token: string | undefined): void {
  if (token) authorize(authorization, token, 'MODELSHIP_INFERENCE_TOKEN');
}

export function authorize(authorization: string | undefined, token: string | undefined, variable: string): void {
  if (!token) throw new HttpError(403, `admin routes are disabled: start the gateway with a token (${variable})`);
  const given = /^Bearer +(.+)$/i.exec(authorization ?? '')?.[1];
  const ok = given !== undefined && given.length === token.length && timingSafeEqual(Buffer.from(given), Buffer.from(token));
  if (!ok) throw new HttpError(401, 'this route needs "Authorization: Bearer <token>"', { 'www-authenticate': 'Bearer' });
}
