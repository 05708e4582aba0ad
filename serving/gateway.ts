/**
 * The inference gateway: KServe v2 REST (JSON and the binary tensor data extension) over the
 * models the store's routing documents name, with weighted, sticky and header-matched routing,
 * shadow traffic, per-version queues and batching, Prometheus metrics and a stats window.
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
import type { ModelRuntime, TensorMap } from '../runtime';
import type { ArtifactStore } from '../store';
import { tensorToBytes } from '../runtime/tensorBytes';
import {
  binaryInputs,
  binaryOutputNames,
  encodeBinaryResponse,
  HEADER_LENGTH,
  splitBinaryBody,
} from '../protocol/binaryTensorData';
import { HttpError } from '../protocol/httpError';
import {
  decodeInputs,
  encodeOutputs,
  parseInferRequest,
  requestedOutputs,
  type InferRequest,
  type InferResponseOutput,
} from '../protocol/kserveProtocol';
import { GatewayMetrics } from './metrics';
import { ModelRegistry, type EndpointRoute, type LoadedVersion } from './modelRegistry';
import { compareOutputs, predictionOf } from './outputComparison';
import { Reconciler } from './reconciler';
import { StatsWindow } from './statsWindow';

export interface GatewayOptions {
  store: ArtifactStore;
  runtime: ModelRuntime;
  /** 0 picks a free port. Default 8000. */
  port?: number;
  host?: string;
  /** Bearer token for `/admin/*`; without one, admin routes answer 403. */
  adminToken?: string;
  /** Bearer token for inference routes; without one, they are open. */
  inferenceToken?: string;
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
  readonly stats: StatsWindow;
  readonly registry: ModelRegistry;
  /** Reconciles with the store now (what the admin nudge does). */
  reconcile(): Promise<void>;
  close(): Promise<void>;
}

export const SERVER_NAME = 'modelship';
export const SERVER_VERSION = '0.1.0';
const JSON_TYPE = 'application/json';

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const log = options.log ?? ((m: string) => console.log(`[gateway] ${m}`));
  const metrics = new GatewayMetrics();
  const stats = new StatsWindow();
  const registry = new ModelRegistry((endpoint, version) => ({
    onRun: (_requests, rows) => metrics.batchSize.observe({ endpoint, version }, rows),
    onQueueDepth: (depth) => metrics.queueDepth.set({ endpoint, version }, depth),
  }));
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
    const parts = url.pathname.split('/').filter(Boolean).map(safeDecode);
    const method = req.method ?? 'GET';

    if (parts[0] === 'metrics' && parts.length === 1 && method === 'GET') {
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(await metrics.registry.metrics());
      return;
    }
    if (parts[0] === 'admin') return handleAdmin(req, res, parts.slice(1), method, url);
    if (parts[0] !== 'v2') throw new HttpError(404, `no route ${url.pathname}; the inference API is under /v2`);

    if (parts.length === 1 && method === 'GET') {
      return sendJson(res, 200, { name: SERVER_NAME, version: SERVER_VERSION, extensions: ['binary_tensor_data'] });
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
        const ready = (version ? registry.pick(endpoint, { version }) : registry.primary(endpoint)) !== undefined;
        return sendJson(res, ready ? 200 : 404, { name: endpoint, ready });
      }
      if (action === 'infer') {
        if (method !== 'POST') throw new HttpError(405, 'infer takes POST', { allow: 'POST' });
        if (options.inferenceToken) authorize(req, options.inferenceToken, 'MODELSHIP_INFERENCE_TOKEN');
        return infer(req, res, endpoint, version);
      }
    }
    throw new HttpError(404, `no route ${method} ${url.pathname}`);
  }

  function lookup(endpoint: string, version?: string): LoadedVersion {
    const loaded = version ? registry.pick(endpoint, { version }) : registry.primary(endpoint);
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
    const started = performance.now();
    const route = registry.route(endpoint);
    const loaded = route ? registry.pick(endpoint, { version, headers: req.headers }) : undefined;
    if (!loaded) {
      await discardBody(req);
      throw new HttpError(404, route ? `model "${endpoint}" has no version "${version}"` : `unknown model "${endpoint}"`);
    }
    const labels = { endpoint, version: loaded.version };
    let status = 500;
    try {
      const body = await readBody(req, maxBodyBytes);
      const headerLength = req.headers[HEADER_LENGTH];
      let request: InferRequest;
      let binary: Map<string, Uint8Array> | undefined;
      if (headerLength !== undefined) {
        const { json, blobs } = splitBinaryBody(body, Number(headerLength));
        request = parseInferRequest(parseJson(json));
        binary = binaryInputs(request, blobs);
      } else {
        request = parseInferRequest(parseJson(body));
      }
      const feeds = decodeInputs(request, loaded.inputsByName, binary);
      const outputNames = requestedOutputs(request, loaded.outputs);
      let outputs: TensorMap;
      try {
        outputs = await loaded.run(feeds, outputNames);
      } catch (error) {
        if (error instanceof HttpError) throw error;
        throw new HttpError(500, `model ${endpoint}/${loaded.version} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      send(res, request, endpoint, loaded.version, outputs);
      status = 200;
      const latencyMs = performance.now() - started;
      stats.record(endpoint, loaded.version, { t: Date.now(), latencyMs, ok: true, prediction: predictionOf(outputs) });
      metrics.latency.observe(labels, latencyMs / 1000);
      if (route?.shadow && version === undefined && Math.random() * 100 < route.shadow.percent) {
        mirror(endpoint, route.shadow.loaded, feeds, outputNames, outputs);
      }
    } catch (error) {
      status = error instanceof HttpError ? error.status : 500;
      // Model failures and overload (429: its queue is full) are the version's errors; client mistakes are not.
      if (status >= 500 || status === 429) stats.record(endpoint, loaded.version, { t: Date.now(), latencyMs: performance.now() - started, ok: false });
      throw error;
    } finally {
      metrics.requests.inc({ ...labels, code: String(status) });
    }
  }

  /** Runs the shadow version on the same inputs after the response is sent; never affects it. */
  function mirror(endpoint: string, shadow: LoadedVersion, feeds: TensorMap, outputNames: string[] | undefined, served: TensorMap): void {
    setImmediate(() => {
      const started = performance.now();
      shadow.run(feeds, outputNames).then(
        (candidate) => {
          const comparison = compareOutputs(served, candidate);
          stats.recordShadow(endpoint, shadow.version, {
            t: Date.now(),
            ...comparison,
            failed: false,
            latencyMs: performance.now() - started,
            prediction: predictionOf(candidate),
          });
          const result = comparison.agreedRows === comparison.rows ? 'agree' : 'disagree';
          metrics.shadowComparisons.inc({ endpoint, version: shadow.version, result });
          metrics.shadowMaxAbsDiff.set({ endpoint, version: shadow.version }, comparison.maxAbsDiff);
        },
        (error: unknown) => {
          if (error instanceof HttpError && error.status === 429) return; // shed, not compared
          stats.recordShadow(endpoint, shadow.version, {
            t: Date.now(),
            rows: 0,
            agreedRows: 0,
            maxAbsDiff: 0,
            failed: true,
            latencyMs: performance.now() - started,
          });
          metrics.shadowComparisons.inc({ endpoint, version: shadow.version, result: 'error' });
        },
      );
    });
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, parts: string[], method: string, url: URL): Promise<void> {
    authorize(req, options.adminToken, 'MODELSHIP_ADMIN_TOKEN');
    if (parts.join('/') === 'reconcile' && method === 'POST') {
      await reconciler?.reconcile();
      return sendJson(res, 200, { replicaId, endpoints: reconciler?.status() ?? {} });
    }
    if (parts.join('/') === 'status' && method === 'GET') {
      return sendJson(res, 200, {
        replicaId,
        ready: reconciler?.ready ?? false,
        endpoints: reconciler?.status() ?? {},
        routes: Object.fromEntries(registry.endpoints().map((e) => [e, describeRoute(registry.route(e))])),
      });
    }
    if (parts[0] === 'stats' && parts[1] && parts.length === 2 && method === 'GET') {
      const since = Number(url.searchParams.get('since') ?? 0);
      const until = url.searchParams.has('until') ? Number(url.searchParams.get('until')) : Date.now();
      if (!Number.isFinite(since) || since < 0) throw new HttpError(400, 'since must be epoch milliseconds');
      if (!Number.isFinite(until) || until < since) throw new HttpError(400, 'until must be epoch milliseconds, not before since');
      return sendJson(res, 200, {
        replicaId,
        endpoint: parts[1],
        generation: registry.route(parts[1])?.generation ?? 0,
        ...stats.snapshot(parts[1], since, until),
      });
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
    onApplied: (endpoint, generation) => metrics.generation.set({ endpoint }, generation),
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
    stats,
    registry,
    reconcile: () => reconciler?.reconcile() ?? Promise.resolve(),
    async close() {
      await reconciler?.stop();
      await closeServer(server);
      await registry.close();
    },
  };
}

/** Writes the response as JSON, or as JSON header plus binary tensors when the request asked for that. */
function send(res: ServerResponse, request: InferRequest, endpoint: string, version: string, outputs: TensorMap): void {
  const binary = binaryOutputNames(request, outputs);
  const common = { model_name: endpoint, model_version: version, ...(request.id !== undefined ? { id: request.id } : {}) };
  const headers = { 'x-modelship-version': version };
  if (binary.size === 0) return sendJson(res, 200, { ...common, outputs: encodeOutputs(outputs) }, headers);
  const blobs: Buffer[] = [];
  const described: InferResponseOutput[] = encodeOutputs(
    Object.fromEntries(Object.entries(outputs).filter(([name]) => !binary.has(name))),
  );
  const binaryDescribed: InferResponseOutput[] = [];
  for (const [name, t] of Object.entries(outputs)) {
    if (!binary.has(name)) continue;
    const blob = tensorToBytes(t);
    blobs.push(blob);
    binaryDescribed.push({ name, datatype: t.datatype, shape: [...t.shape], parameters: { binary_data_size: blob.length } });
  }
  const { body, headerLength } = encodeBinaryResponse({ ...common, outputs: [...binaryDescribed, ...described] }, blobs);
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': body.length,
    'inference-header-content-length': headerLength,
    ...headers,
  });
  res.end(body);
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

function authorize(req: IncomingMessage, token: string | undefined, variable: string): void {
  if (!token) throw new HttpError(403, `admin routes are disabled: start the gateway with a token (${variable})`);
  const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const ok = given !== undefined && given.length === token.length && timingSafeEqual(Buffer.from(given), Buffer.from(token));
  if (!ok) throw new HttpError(401, 'this route needs "Authorization: Bearer <token>"', { 'www-authenticate': 'Bearer' });
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    await discardBody(req);
    throw new HttpError(413, `request body of ${declared} bytes exceeds the limit of ${limit}`);
  }
  const encoding = req.headers['content-encoding'];
  if (encoding && encoding !== 'identity') {
    await discardBody(req);
    throw new HttpError(415, `Content-Encoding ${encoding} is not supported; send the body uncompressed`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      await discardBody(req);
      throw new HttpError(413, `request body exceeds the limit of ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Reads and drops the rest of a body, so the connection can be reused after an early answer. */
async function discardBody(req: IncomingMessage): Promise<void> {
  if (req.readableEnded) return;
  req.resume();
  await new Promise<void>((resolve) => {
    req.once('end', resolve);
    req.once('error', () => resolve());
    req.once('close', resolve);
  });
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, `malformed JSON body: ${(error as Error).message}`);
  }
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(400, `malformed URL component ${part}`);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(payload), ...headers });
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
