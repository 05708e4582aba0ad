/**
 * The MLflow Model Registry over its REST API, as the worker reaches it: the connection from the
 * environment MLflow's own clients read (`MLFLOW_TRACKING_URI`, `MLFLOW_TRACKING_TOKEN` or
 * `MLFLOW_TRACKING_USERNAME`/`PASSWORD`), a registered version by number or alias, and where its
 * artifacts are. Answers are parsed with schemas; an unknown model, version or alias, or a refused
 * credential, is a non-retryable refusal naming it; an unreachable or failing registry is an
 * infrastructure error (retried) naming its URI.
 */
import { z } from 'zod';
import type { FailureType } from '../../sdk/errors';
import { registryLocation, type RegistryReference } from '../../sdk/schemas';
import { rejection } from '../failures';

/** The variables the connection is read from, as MLflow's clients name them. */
export const MLFLOW_ENV = {
  trackingUri: 'MLFLOW_TRACKING_URI',
  token: 'MLFLOW_TRACKING_TOKEN',
  username: 'MLFLOW_TRACKING_USERNAME',
  password: 'MLFLOW_TRACKING_PASSWORD',
} as const;

export interface MlflowConnection {
  /** The tracking server, `http(s)://host:port[/prefix]`, without a trailing slash. */
  trackingUri: string;
  headers: Record<string, string>;
  fetch: typeof fetch;
  signal?: AbortSignal;
}

/** A registered model version as the registry describes it. */
export const modelVersion = z.object({
  name: z.string(),
  version: z.string(),
  source: z.string().default(''),
  run_id: z.string().optional(),
  status: z.string().optional(),
});
export type ModelVersion = z.infer<typeof modelVersion>;

const modelVersionAnswer = z.object({ model_version: modelVersion });
const downloadUriAnswer = z.object({ artifact_uri: z.string().min(1) });
const errorAnswer = z.object({ error_code: z.string().optional(), message: z.string().optional() }).passthrough();

/** The connection the worker's environment describes; refused (non-retryable) when there is none or it is not an HTTP server. */
export function mlflowConnectionFromEnv(env: NodeJS.ProcessEnv, failure: FailureType, fetchImpl: typeof fetch = fetch): MlflowConnection {
  const uri = env[MLFLOW_ENV.trackingUri]?.trim();
  if (!uri) throw rejection(failure, `a models:/ source needs the MLflow tracking server: set ${MLFLOW_ENV.trackingUri} on the worker`);
  if (!/^https?:\/\//i.test(uri)) {
    throw rejection(failure, `${MLFLOW_ENV.trackingUri}=${uri} is not an http(s):// tracking server: Modelship reads the registry over MLflow's REST API`);
  }
  const headers: Record<string, string> = {};
  const token = env[MLFLOW_ENV.token];
  const username = env[MLFLOW_ENV.username];
  if (token) headers.authorization = `Bearer ${token}`;
  else if (username) headers.authorization = `Basic ${Buffer.from(`${username}:${env[MLFLOW_ENV.password] ?? ''}`).toString('base64')}`;
  return { trackingUri: uri.replace(/\/+$/, ''), headers, fetch: fetchImpl };
}

/** The version a reference names (an alias resolved to the version it points at now), checked to be ready. */
export async function resolveModelVersion(connection: MlflowConnection, reference: RegistryReference, failure: FailureType): Promise<ModelVersion> {
  const what = registryLocation(reference);
  const answer =
    'alias' in reference
      ? await registryCall(connection, 'registered-models/alias', { name: reference.name, alias: reference.alias }, what, failure)
      : await registryCall(connection, 'model-versions/get', { name: reference.name, version: reference.version }, what, failure);
  const version = parseAnswer(modelVersionAnswer, answer, connection, what).model_version;
  if (version.status === 'PENDING_REGISTRATION') throw new Error(`${what} is still being registered in ${connection.trackingUri}`);
  if (version.status === 'FAILED_REGISTRATION') throw rejection(failure, `${what} failed to register in ${connection.trackingUri}: register it again`);
  return version;
}

/** Where a registered version's artifacts are (`mlflow-artifacts:/…`, `s3://…`). */
export async function modelDownloadUri(connection: MlflowConnection, version: ModelVersion, failure: FailureType): Promise<string> {
  const what = `${registryLocation({ name: version.name, version: version.version })}`;
  const answer = await registryCall(connection, 'model-versions/get-download-uri', { name: version.name, version: version.version }, what, failure);
  return parseAnswer(downloadUriAnswer, answer, connection, what).artifact_uri;
}

/**
 * One GET against the tracking server (`/api/2.0/<path>`): the parsed JSON answer. A 4xx other
 * than 408/429 is a refusal (not found, bad name, credentials refused); no answer or a 5xx is an
 * infrastructure error, retried.
 */
export async function mlflowGet(
  connection: MlflowConnection,
  apiPath: string,
  params: Record<string, string>,
  what: string,
  failure: FailureType,
): Promise<Response> {
  const url = `${connection.trackingUri}/api/2.0/${apiPath}${Object.keys(params).length > 0 ? `?${new URLSearchParams(params).toString()}` : ''}`;
  let response: Response;
  try {
    response = await connection.fetch(url, { headers: connection.headers, ...(connection.signal ? { signal: connection.signal } : {}) });
  } catch (error) {
    if (connection.signal?.aborted) throw error;
    throw new Error(`the MLflow tracking server ${connection.trackingUri} is unreachable (${errorText(error)}) while reading ${what}`);
  }
  if (response.ok) return response;
  const text = await response.text().catch(() => '');
  const parsed = errorAnswer.safeParse(safeJson(text));
  const detail = parsed.success ? [parsed.data.error_code, parsed.data.message].filter(Boolean).join(': ') : text.slice(0, 200);
  const status = response.status;
  if (status === 401 || status === 403) {
    throw rejection(
      failure,
      `the MLflow tracking server ${connection.trackingUri} refused access to ${what} (${status}${detail ? `: ${detail}` : ''}): ` +
        `set ${MLFLOW_ENV.token}, or ${MLFLOW_ENV.username} and ${MLFLOW_ENV.password}, on the worker`,
    );
  }
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    throw rejection(failure, `${what} is not in the MLflow registry at ${connection.trackingUri} (${status}${detail ? `: ${detail}` : ''})`);
  }
  throw new Error(`the MLflow tracking server ${connection.trackingUri} answered ${status} while reading ${what}${detail ? `: ${detail}` : ''}`);
}

async function registryCall(
  connection: MlflowConnection,
  apiPath: string,
  params: Record<string, string>,
  what: string,
  failure: FailureType,
): Promise<unknown> {
  const response = await mlflowGet(connection, `mlflow/${apiPath}`, params, what, failure);
  return safeJson(await response.text());
}

/** An answer that does not fit the API is the server's fault (a proxy's error page, another service on the port): retried. */
function parseAnswer<S extends z.ZodType>(schema: S, answer: unknown, connection: MlflowConnection, what: string): z.output<S> {
  const parsed = schema.safeParse(answer);
  if (!parsed.success) throw new Error(`the MLflow tracking server ${connection.trackingUri} answered unexpectedly for ${what}: ${parsed.error.message}`);
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorText(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
