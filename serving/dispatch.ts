/**
 * One dispatch for every HTTP route of the gateway: a route table (areas of method + path pattern
 * → handler) is matched here, and here alone are unknown paths turned into 404, wrong methods into
 * 405, and errors into their HTTP answer (an {@link HttpError}'s status and message, else a 500).
 *
 * @example
 * const areas: RouteArea<Ctx>[] = [{ routes: [{ method: 'GET', path: '/v2/models/:model', handle: metadata }], notFound: () => 'no route' }];
 * server.on('request', createDispatcher(areas, context, log));
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../protocol/httpError';
import { sendJson } from './httpBody';

/** One request as a route handler sees it. */
export interface RouteCall {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  readonly url: URL;
  /** The route's `:name` captures, URL-decoded. */
  readonly params: Readonly<Record<string, string>>;
}

export interface Route<C> {
  /** The method this route takes; `*` takes any. */
  readonly method: 'GET' | 'POST' | '*';
  /** Literal segments and `:name` captures of one segment each, e.g. `/v2/models/:model/infer`. */
  readonly path: string;
  /** When set, other methods on this path answer 405 with this message (and `Allow`); otherwise 404. */
  readonly wrongMethod?: string;
  handle(context: C, call: RouteCall): void | Promise<void>;
}

/** Routes sharing a first path segment, a check before any of them, and their 404 message. */
export interface RouteArea<C> {
  /** The first path segment of the area; the area without one takes every other path. */
  readonly under?: string;
  /** Runs before the area's routes are looked up, so an unknown path in the area passes it too. */
  readonly guard?: (context: C, req: IncomingMessage) => void;
  readonly routes: readonly Route<C>[];
  /** The message of the 404 for a path (or method) none of the area's routes take. */
  notFound(method: string, segments: readonly string[], pathname: string): string;
}

interface CompiledRoute<C> extends Route<C> {
  readonly pattern: readonly string[];
}

/** The request listener answering `areas` with `context`; errors a route throws become the answer. */
export function createDispatcher<C>(
  areas: readonly RouteArea<C>[],
  context: C,
  log: (message: string) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  const compiled = areas.map((area) => ({ ...area, routes: area.routes.map((r): CompiledRoute<C> => ({ ...r, pattern: segmentsOf(r.path) })) }));
  return (req, res) => {
    dispatch(compiled, context, req, res).catch((error: unknown) => answerError(req, res, error, log));
  };
}

/** A capture the route's path pattern declares (a 500 when it does not: a route table mistake). */
export function requireParam(call: RouteCall, name: string): string {
  const value = call.params[name];
  if (value === undefined) throw new Error(`route has no :${name} in its path`);
  return value;
}

async function dispatch<C>(
  areas: readonly (RouteArea<C> & { routes: readonly CompiledRoute<C>[] })[],
  context: C,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://gateway');
  const segments = url.pathname.split('/').filter(Boolean).map(safeDecode);
  const method = req.method ?? 'GET';
  const area = areas.find((a) => a.under === segments[0]) ?? areas.find((a) => a.under === undefined);
  if (!area) throw new HttpError(404, `no route ${method} ${url.pathname}`);
  area.guard?.(context, req);
  let refusing: CompiledRoute<C> | undefined;
  for (const route of area.routes) {
    const params = match(route.pattern, segments);
    if (!params) continue;
    if (route.method === method || route.method === '*') return route.handle(context, { req, res, method, url, params });
    if (route.wrongMethod !== undefined) refusing ??= route;
  }
  if (refusing?.wrongMethod !== undefined) throw new HttpError(405, refusing.wrongMethod, { allow: refusing.method });
  throw new HttpError(404, area.notFound(method, segments, url.pathname));
}

function match(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, expected] of pattern.entries()) {
    const actual = segments[i] as string;
    if (expected.startsWith(':')) params[expected.slice(1)] = actual;
    else if (expected !== actual) return undefined;
  }
  return params;
}

/**
 * The error's answer. When the request's body has not all arrived (an early 413, 415 or 404), the
 * answer says `connection: close` and Node closes the socket once it is flushed: the rest of the
 * body is never read into memory, and the connection cannot be reused mid-body.
 */
function answerError(req: IncomingMessage, res: ServerResponse, error: unknown, log: (message: string) => void): void {
  const status = error instanceof HttpError ? error.status : 500;
  if (status === 500) log(`internal error on ${req.method} ${req.url}: ${String(error)}`);
  const headers = { ...(error instanceof HttpError ? error.headers : {}), ...(req.complete ? {} : { connection: 'close' }) };
  sendJson(res, status, { error: error instanceof Error ? error.message : String(error) }, headers);
}

function segmentsOf(path: string): string[] {
  return path.split('/').filter(Boolean);
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(400, `malformed URL component ${part}`);
  }
}
