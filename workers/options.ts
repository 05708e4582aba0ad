/**
 * Settings every Modelship worker process reads from its environment, with local defaults, and the
 * connection and options its workers share.
 */
import os from 'node:os';
import path from 'node:path';
import { NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { resolveConnection, type ResolvedConnection } from '../sdk/connection';
import { SetupError } from '../sdk/errors';
import { DEFAULT_STORE_URI, openStore, storeKeys, type ArtifactStore } from '../store';
import { sourcePolicyFromEnv, type SourcePolicy } from '../activities/ingest/sourcePolicy';
import { webhooksFromEnv } from '../activities/notify/workerWebhooks';
import type { Webhook } from '../sdk/schemas';
import { positiveIntegerSetting } from '../sdk/sourceLimits';
import { prepareNamespace } from './namespaceSetup';

export interface WorkerSettings {
  connection: ResolvedConnection;
  /** Artifact store URI (`MODELSHIP_STORE`). */
  storeUri: string;
  /** Bearer token for the gateways' admin routes (`MODELSHIP_ADMIN_TOKEN`). */
  adminToken: string | undefined;
  /** Concurrent activities (`MODELSHIP_ACTIVITY_CONCURRENCY`, default: CPU count). */
  activityConcurrency: number;
  /** Prebuilt workflow bundle (`MODELSHIP_WORKFLOW_BUNDLE`); otherwise workflows are bundled at start. */
  workflowBundlePath: string | undefined;
  /** How long in-flight activities get to finish on shutdown (`MODELSHIP_SHUTDOWN_GRACE`, ms). */
  shutdownGraceMs: number;
  /** Workflow executions kept in memory between tasks (`MODELSHIP_MAX_CACHED_WORKFLOWS`, default 200). */
  maxCachedWorkflows: number;
  /** Workflow tasks processed at once (`MODELSHIP_WORKFLOW_CONCURRENCY`, default 40). */
  workflowConcurrency: number;
  /** Folders, buckets and size caps for sources (`MODELSHIP_SOURCE_ROOTS`, `MODELSHIP_SOURCE_BUCKETS`, `MODELSHIP_MAX_SOURCE_BYTES`, `MODELSHIP_MAX_DATA_BYTES`). */
  sources: SourcePolicy;
  /** The worker's own webhooks, told of every deployment's events (`MODELSHIP_WEBHOOKS`, a JSON array; `modelship worker --webhook`). */
  webhooks: Webhook[];
}

export function workerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  const storeUri = env.MODELSHIP_STORE ?? DEFAULT_STORE_URI;
  return {
    connection: resolveConnection({ env }),
    storeUri,
    adminToken: env.MODELSHIP_ADMIN_TOKEN || undefined,
    activityConcurrency: positiveIntegerSetting(env.MODELSHIP_ACTIVITY_CONCURRENCY) ?? Math.max(1, os.availableParallelism()),
    workflowBundlePath: env.MODELSHIP_WORKFLOW_BUNDLE || undefined,
    shutdownGraceMs: positiveIntegerSetting(env.MODELSHIP_SHUTDOWN_GRACE) ?? 10_000,
    maxCachedWorkflows: positiveIntegerSetting(env.MODELSHIP_MAX_CACHED_WORKFLOWS) ?? 200,
    workflowConcurrency: positiveIntegerSetting(env.MODELSHIP_WORKFLOW_CONCURRENCY) ?? 40,
    sources: sourcePolicyFromEnv(env, { storeUri }),
    webhooks: webhooksFromEnv(env),
  };
}

/** Where workflow code comes from: a prebuilt bundle, or `workflows/` bundled now. */
export function workflowSource(settings: WorkerSettings): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  if (settings.workflowBundlePath) return { workflowBundle: { codePath: path.resolve(settings.workflowBundlePath) } };
  return { workflowsPath: require.resolve('../workflows') };
}

/** The options every worker of one process shares: its connection, namespace and shutdown grace. */
export type SharedWorkerOptions = Required<Pick<WorkerOptions, 'connection' | 'namespace' | 'shutdownGraceTime'>>;

/**
 * Reads the store once before polling: a setting that is wrong (no credentials, a bucket that does
 * not exist) stops the worker now, in words, rather than failing every activity; an outage only
 * warns (activities retry until the store is back).
 */
async function checkStore(store: ArtifactStore): Promise<void> {
  try {
    await store.list(storeKeys.replicasPrefix);
  } catch (error) {
    if (error instanceof SetupError) throw error;
    console.warn(
      `warning: the store ${store.uri} cannot be read now (${error instanceof Error ? error.message : String(error)}); activities retry until it can`,
    );
  }
}

/** The worker's connection; a server that cannot be reached is a {@link SetupError} naming the address and the variables that set it. */
export async function connectToTemporal(connection: ResolvedConnection): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(connection.connectionOptions);
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n', 1)[0] ?? error.message) : String(error);
    throw new SetupError(
      `cannot reach Temporal at ${connection.address} (namespace ${connection.namespace}): ${reason}`,
      'set TEMPORAL_ADDRESS to your Temporal frontend (host:port; TEMPORAL_NAMESPACE, TEMPORAL_TLS*, TEMPORAL_API_KEY for a secured one), ' +
        'or start the local environment with `npx modelship dev`',
    );
  }
}

/**
 * Connects to Temporal, makes sure the namespace has Modelship's search attributes (adding them, or
 * refusing to start with what is missing), opens the store as `settings` say, runs `body` with them
 * (it creates and runs the process's workers), and closes the connection when `body` ends or fails.
 */
export async function withWorkerConnection(
  settings: WorkerSettings,
  body: (shared: SharedWorkerOptions, store: ArtifactStore) => Promise<void>,
): Promise<void> {
  const connection = await connectToTemporal(settings.connection);
  try {
    await prepareNamespace(connection.operatorService, settings.connection.namespace);
    const store = openStore(settings.storeUri);
    await checkStore(store);
    await body({ connection, namespace: settings.connection.namespace, shutdownGraceTime: settings.shutdownGraceMs }, store);
  } finally {
    await connection.close();
  }
}
