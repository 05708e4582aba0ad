/**
 * The inference gateway: KServe v2 REST (JSON and the binary tensor data extension), and KServe v2
 * gRPC on its own port when asked, over the models the store's routing documents name, with weighted, sticky and header-matched routing,
 * shadow traffic, per-version queues and batching, Prometheus metrics, a stats window and sampled
 * data capture into the store.
 * This file starts and stops a replica and wires its parts; the routes are in `routeTable.ts`, the
 * gRPC service in `grpc/`, and what both do for one inference in `inference.ts`.
 *
 * @example
 * const gateway = await startGateway({ store: openStore(), runtime: new OnnxRuntime(), port: 8000, grpcPort: 8001 });
 * // POST http://127.0.0.1:8000/v2/models/<endpoint>/infer, or ModelInfer at gateway.grpcAddress
 * await gateway.close();
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { ModelRuntime } from '../runtime';
import type { ArtifactStore } from '../store';
import type { ReplicaLabels, Target } from '../sdk/schemas';
import { createDispatcher } from './dispatch';
import { registerDriftMetrics } from './driftMetrics';
import type { GatewayContext } from './gatewayContext';
import { startGrpcServer, type GrpcServer } from './grpc/grpcServer';
import { FaultInjector } from './faultInjection';
import { GatewayMetrics } from './metrics';
import { ModelRegistry } from './modelRegistry';
import { Reconciler } from './reconciler';
import { requireGpu } from './gpuReplica';
import { GATEWAY_ROUTES } from './routeTable';
import { StatsWindow } from './statsWindow';
import { TrafficCapture, type CaptureOptions } from './trafficCapture';

export { SERVER_NAME, SERVER_VERSION } from './routes/server';

export interface GatewayOptions {
  store: ArtifactStore;
  runtime: ModelRuntime;
  /** 0 picks a free port. Default 8000. */
  port?: number;
  /** Port of the KServe v2 gRPC server (on `host`); 0 picks a free port. Default: no gRPC server. */
  grpcPort?: number;
  host?: string;
  /** Bearer token for `/admin/*`; without one, admin routes answer 403. */
  adminToken?: string;
  /** Bearer token for inference routes; without one, they are open. */
  inferenceToken?: string;
  /** Stable id in the store's replica registry; default `<hostname>-<port>`. */
  replicaId?: string;
  /** URL other processes reach this replica at; default `http://<host>:<port>`. */
  advertiseUrl?: string;
  /** How often the routing change log is read (default 5 s); an admin nudge reads it at once. */
  pollIntervalMs?: number;
  /** The liveness beat (default 30 s): a replica silent for 3 of these is stale. A heartbeat is also written after each change. */
  heartbeatIntervalMs?: number;
  /** How often every routing document is read, as a safety net (default 5 min). */
  fullReconcileIntervalMs?: number;
  /** Largest request body (REST) or message (gRPC) accepted, in bytes. Default 32 MiB. */
  maxBodyBytes?: number;
  /** onnxruntime intra-op threads per model instance (0 = the replica's cores shared out between a version's instances). */
  intraOpThreads?: number;
  /** The hardware it serves on (default cpu): a GPU replica loads each version's gpu pick with TensorRT, else CUDA, and refuses to start without a GPU. */
  target?: Target;
  /** Labels endpoints are placed by (`pool=cpu-small,zone=a` parsed); reported in the heartbeat. */
  labels?: ReplicaLabels;
  /** Memory the models may take, in bytes; default half the host's memory. */
  memoryBudgetBytes?: number;
  /** Sampled capture of served requests into the store; default off (rate 0). */
  capture?: CaptureOptions;
  /** Enables the fault switch (`POST /admin/faults`: injected errors and latency), for demos and tests only. Default off. */
  allowFaultInjection?: boolean;
  log?: (message: string) => void;
}

export interface Gateway {
  readonly url: string;
  /** `host:port` of the gRPC server; undefined when the gateway has none. */
  readonly grpcAddress: string | undefined;
  readonly replicaId: string;
  readonly stats: StatsWindow;
  readonly registry: ModelRegistry;
  /** Reconciles with the store now (what the admin nudge does). */
  reconcile(): Promise<void>;
  close(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const log = options.log ?? ((m: string) => console.log(`[gateway] ${m}`));
  const target = options.target ?? 'cpu';
  // Before anything listens or registers: a GPU replica without a GPU never starts (it would serve its GPU picks on the CPU).
  if (target === 'gpu') log(`serving on the GPU with ${await requireGpu(options.runtime)}`);
  const metrics = new GatewayMetrics();
  registerDriftMetrics(metrics.registry, { store: options.store, endpoints: () => metrics.endpoints(), log });
  const registry = new ModelRegistry((endpoint, version) => ({
    onRun: (_requests, rows) => metrics.observe(metrics.batchSize, { endpoint, version }, rows),
    // A retiring version draining its queue does not bring its dropped series back (set ignores unloaded versions).
    onQueueDepth: (depth) => metrics.set(metrics.queueDepth, { endpoint, version }, depth),
  }));
  const server = createServer();
  server.keepAliveTimeout = 65_000;
  await listen(server, options.port ?? 8000, options.host ?? '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  const url = options.advertiseUrl ?? `http://${host}:${port}`;
  const replicaId = options.replicaId ?? `${hostname()}-${port}`;

  const reconciler = new Reconciler({
    store: options.store,
    runtime: options.runtime,
    registry,
    replicaId,
    url,
    pollIntervalMs: options.pollIntervalMs ?? 5000,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 30_000,
    fullPassIntervalMs: options.fullReconcileIntervalMs,
    intraOpThreads: options.intraOpThreads ?? 0,
    log,
    target,
    labels: options.labels,
    memoryBudgetBytes: options.memoryBudgetBytes,
    onApplied: (endpoint, routing) => metrics.served(endpoint, routing),
  });
  const context: GatewayContext = {
    replicaId,
    registry,
    reconciler,
    stats: new StatsWindow(),
    metrics,
    maxBodyBytes: options.maxBodyBytes ?? 32 * 1024 * 1024,
    adminToken: options.adminToken,
    inferenceToken: options.inferenceToken,
    capture: new TrafficCapture({ ...(options.capture ?? { rate: 0 }), store: options.store, replicaId, log }),
    ...(options.allowFaultInjection ? { faults: new FaultInjector() } : {}),
  };
  // Attached before the first await after listening, so no request finds the server without it.
  server.on('request', createDispatcher(GATEWAY_ROUTES, context, log));
  let grpc: GrpcServer | undefined;
  try {
    if (options.grpcPort !== undefined) grpc = await startGrpcServer(context, { port: options.grpcPort, host: options.host ?? '127.0.0.1', log });
    await reconciler.start();
  } catch (error) {
    await Promise.all([closeServer(server), grpc?.close()]);
    await context.capture.close();
    throw error;
  }
  const capturing = context.capture.enabled ? `, capturing ${options.capture?.rate} of requests` : '';
  const grpcAt = grpc ? `, gRPC at ${grpc.address}` : '';
  const faults = context.faults ? ', FAULT INJECTION ALLOWED (demos and tests only)' : '';
  log(`replica ${replicaId} serving KServe v2 at ${url}${grpcAt} (store ${options.store.uri}${capturing}${faults})`);

  return {
    url,
    grpcAddress: grpc?.address,
    replicaId,
    stats: context.stats,
    registry,
    reconcile: () => reconciler.reconcile(),
    async close() {
      await reconciler.stop();
      await Promise.all([closeServer(server), grpc?.close()]);
      await context.capture.close();
      await registry.close();
    },
  };
}

/** A fresh random admin token, for a local environment that generates its own. */
export function generateAdminToken(): string {
  return randomUUID().replace(/-/g, '');
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
