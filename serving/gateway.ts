/**
 * The inference gateway: KServe v2 REST over the models the store's routing documents name.
 *
 * @example
 * const gateway = await startGateway({ store: openStore(), runtime: new OnnxRuntime(), port: 8000 });
 * // POST http://127.0.0.1:8000/v2/models/<endpoint>/infer
 * await gateway.close();
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { ModelRuntime } from '../activities/runtime';
import type { ArtifactStore } from '../activities/store';
import { HttpError } from './httpError';
import { decodeInputs, encodeOutputs, parseInferRequest, requestedOutputs, type InferResponse } from './kserveProtocol';
import { ModelRegistry, type LoadedVersion } from './modelRegistry';
import { Reconciler } from './reconciler';

export interface GatewayOptions {
  store: ArtifactStore;
  runtime: ModelRuntime;
  /** 0 picks a free port. Default 8000. */
  port?: number;
  host?: string;
  /** Bearer token for `/admin/*`; without one, admin routes answer 403. */
  adminToken?: string;
  /** Stable id in the store's replica registry; default `<hostname>-<port>`. */
  replicaId?: string;
  /** URL other processes reach this replica at; default `http://<host>:<port>`. */
  advertiseUrl?: string;
  pollIntervalMs?: number;
  heartbeatIntervalMs?: number;
  /** Largest request body accepted, in bytes. Default 32 MiB. */
  maxBodyBytes?: number;
  /** onnxruntime intra-op threads per session (0 = runtime default). */
  intraOpThreads?: number;
  log?: (message: string) => void;
}

export interface Gateway {
  readonly url: string;
  readonly replicaId: string;
  /** Reconciles with the store now (what the admin nudge does). */
  reconcile(): Promise<void>;
  close(): Promise<void>;
}

const SERVER_NAME = 'modelship';
const SERVER_VERSION = '0.1.0';

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const log = options.log ?? ((m: string) => console.log(`[gateway] ${m}`));
  const registry = new ModelRegistry();
  const maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
  // Assigned once the port is known; request handlers running before then see `undefined`.
  // eslint-disable-next-line prefer-const
  let reconciler: Reconciler | undefined;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (status === 500) log(`internal error on ${req.method} ${req.url}: ${String(error)}`);
      const headers = error instanceof HttpError ? error.headers : {};
      sendJson(res, status, { error: error instanceof Error ? error.message : String(error) }, headers);
    });
  });
  server.keepAliveTimeout = 65_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';

    if (parts[0] === 'admin') return handleAdmin(req, res, parts.slice(1), method);
    if (parts[0] !== 'v2') throw new HttpError(404, `no route ${url.pathname}; the inference API is under /v2`);

    if (parts.length === 1 && method === 'GET') {
      return sendJson(res, 200, { name: SERVER_NAME, version: SERVER_VERSION, extensions: [] });
    }
    if (parts[1] === 'health' && parts.length === 3 && method === 'GET') {
      if (parts[2] === 'live') return sendJson(res, 200, { live: true });
      if (parts[2] === 'ready') {
        const ready = reconciler?.ready === true;
        return sendJson(res, ready ? 200 : 503, { ready });
      }
    }
    if (parts[1] === 'models' && parts[2]) {
      const endpoint = parts[2];
      let rest = parts.slice(3);
      let version: string | undefined;
      if (rest[0] === 'versions') {
        version = rest[1];
        if (!version) throw new HttpError(404, 'missing version after /versions/');
        rest = rest.slice(2);
      }
      const action = rest.join('/');
      if (action === '' && method === 'GET') return sendJson(res, 200, modelMetadata(endpoint, version));
      if (action === 'ready' && method === 'GET') {
        const ready = (version ? registry.pick(endpoint, version) : registry.primary(endpoint)) !== undefined;
        return sendJson(res, ready ? 200 : 404, { name: endpoint, ready });
      }
      if (action === 'infer') {
        if (method !== 'POST') throw new HttpError(405, 'infer takes POST', { allow: 'POST' });
        return infer(req, res, endpoint, version);
      }
    }
    throw new HttpError(404, `no route ${method} ${url.pathname}`);
  }

  function lookup(endpoint: string, version?: string): LoadedVersion {
    const loaded = version ? registry.pick(endpoint, version) : registry.primary(endpoint);
    if (loaded) return loaded;
    if (!registry.route(endpoint)) throw new HttpError(404, `unknown model "${endpoint}"`);
    throw new HttpError(404, `model "${endpoint}" has no version "${version}"`);
  }

  function modelMetadata(endpoint: string, version?: string) {
    const loaded = lookup(endpoint, version);
    const route = registry.route(endpoint);
    return {
      name: endpoint,
      versions: version ? [version] : (route?.versions.map((v) => v.loaded.version) ?? []),
      platform: 'onnxruntime_onnx',
      inputs: loaded.inputs,
      outputs: loaded.outputs,
    };
  }

  async function infer(req: IncomingMessage, res: ServerResponse, endpoint: string, version?: string): Promise<void> {
    const body = await readJsonBody(req, maxBodyBytes);
    const request = parseInferRequest(body);
    const loaded = version ? lookup(endpoint, version) : registry.pick(endpoint);
    if (!loaded) throw new HttpError(404, `unknown model "${endpoint}"`);
    const feeds = decodeInputs(request, loaded.inputs);
    const outputs = await loaded.run(feeds, requestedOutputs(request, loaded.outputs));
    const response: InferResponse = {
      model_name: endpoint,
      model_version: loaded.version,
      ...(request.id !== undefined ? { id: request.id } : {}),
      outputs: encodeOutputs(outputs),
    };
    sendJson(res, 200, response, { 'x-modelship-version': loaded.version });
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, parts: string[], method: string): Promise<void> {
    authorize(req, options.adminToken);
    if (parts.join('/') === 'reconcile' && method === 'POST') {
      await reconciler?.reconcile();
      return sendJson(res, 200, { replicaId, endpoints: reconciler?.status() ?? {} });
    }
    if (parts.join('/') === 'status' && method === 'GET') {
      return sendJson(res, 200, { replicaId, ready: reconciler?.ready ?? false, endpoints: reconciler?.status() ?? {} });
    }
    throw new HttpError(404, `no admin route ${method} /admin/${parts.join('/')}`);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8000, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  const url = options.advertiseUrl ?? `http://${host}:${address.port}`;
  const replicaId = options.replicaId ?? `${hostname()}-${address.port}`;

  reconciler = new Reconciler({
    store: options.store,
    runtime: options.runtime,
    registry,
    replicaId,
    url,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1000,
    intraOpThreads: options.intraOpThreads ?? 0,
    log,
  });
  try {
    await reconciler.start();
  } catch (error) {
    await closeServer(server);
    throw error;
  }
  log(`replica ${replicaId} serving KServe v2 at ${url} (store ${options.store.uri})`);

  return {
    url,
    replicaId,
    reconcile: () => reconciler?.reconcile() ?? Promise.resolve(),
    async close() {
      await reconciler?.stop();
      await closeServer(server);
      await registry.close();
    },
  };
}

function authorize(req: IncomingMessage, token: string | undefined): void {
  if (!token) throw new HttpError(403, 'admin routes are disabled: start the gateway with an admin token (MODELSHIP_ADMIN_TOKEN)');
  const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const ok = given !== undefined && given.length === token.length && timingSafeEqual(Buffer.from(given), Buffer.from(token));
  if (!ok) throw new HttpError(401, 'admin routes need "Authorization: Bearer <token>"', { 'www-authenticate': 'Bearer' });
}

async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    throw new HttpError(413, `request body of ${declared} bytes exceeds the limit of ${limit}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new HttpError(413, `request body exceeds the limit of ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `malformed JSON body: ${(error as Error).message}`);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/** A fresh random admin token, for a local environment that generates its own. */
export function generateAdminToken(): string {
  return randomUUID().replace(/-/g, '');
}
