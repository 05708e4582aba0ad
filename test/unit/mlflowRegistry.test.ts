import { ApplicationFailure } from '@temporalio/common';
import { mlflowConnectionFromEnv } from '../../activities/ingest/mlflowRegistry';
import { readRegistrySource } from '../../activities/ingest/readRegistrySource';
import type { ReadSourceOptions } from '../../activities/ingest/sourceRead';
import { registryReference, type RegistryReference } from '../../sdk/schemas';

const URI = 'http://mlflow.test:5000';
const VERSION = { name: 'churn', version: '4', source: 'models:/m-abc', run_id: 'run-1', status: 'READY', aliases: ['champion'] };
const ARTIFACTS = 'mlflow-artifacts:/0/models/m-abc/artifacts';
const SKLEARN_MLMODEL = 'flavors:\n  sklearn:\n    pickled_model: model.pkl\n    serialization_format: cloudpickle\n';

type Route = (url: URL, init?: RequestInit) => Response | Promise<Response>;

/** A registry that answers the routes given (path and query, `?` included when there is one), and 404 RESOURCE_DOES_NOT_EXIST otherwise. */
function registry(routes: Record<string, Route>, seen: { url: string; headers: Record<string, string> }[] = []): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    seen.push({ url: url.toString(), headers: (init?.headers ?? {}) as Record<string, string> });
    const route = routes[`${url.pathname}${url.search}`];
    if (route) return route(url, init);
    return Response.json({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: `nothing at ${url.pathname}` }, { status: 404 });
  }) as typeof fetch;
}

const standard: Record<string, Route> = {
  '/api/2.0/mlflow/registered-models/alias?name=churn&alias=champion': () => Response.json({ model_version: VERSION }),
  '/api/2.0/mlflow/model-versions/get?name=churn&version=4': () => Response.json({ model_version: VERSION }),
  '/api/2.0/mlflow/model-versions/get-download-uri?name=churn&version=4': () => Response.json({ artifact_uri: ARTIFACTS }),
  '/api/2.0/mlflow-artifacts/artifacts/0/models/m-abc/artifacts/MLmodel': () => new Response(SKLEARN_MLMODEL),
  '/api/2.0/mlflow-artifacts/artifacts/0/models/m-abc/artifacts/model.pkl': () => new Response(new Uint8Array([0x80, 4, 1, 2, 3])),
};

function options(maxBytes = 1024): ReadSourceOptions {
  return {
    policy: { roots: [], buckets: [], maxModelBytes: maxBytes, maxDataBytes: maxBytes },
    maxBytes,
    failure: 'ModelSourceUnreadable',
    what: 'model source',
    capSetting: 'model.maxSourceBytes',
    context: { heartbeat: () => {}, signal: new AbortController().signal },
  };
}

async function read(source: string, fetchImpl: typeof fetch, env: NodeJS.ProcessEnv = { MLFLOW_TRACKING_URI: URI }, maxBytes?: number) {
  const reference = registryReference(source) as RegistryReference;
  return readRegistrySource(reference, mlflowConnectionFromEnv(env, 'ModelSourceUnreadable', fetchImpl), options(maxBytes));
}

/** How a read failed: a refusal (non-retryable, its type) or an infrastructure error Temporal retries. */
async function failure(promise: Promise<unknown>): Promise<{ retried: boolean; type?: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (!error) throw new Error('expected a failure');
  return error instanceof ApplicationFailure && error.nonRetryable
    ? { retried: false, type: error.type ?? undefined, message: error.message }
    : { retried: true, message: error.message };
}

describe('reading a model from the MLflow registry over its REST API', () => {
  test('an alias is resolved to its version, the MLmodel picks the file, and the lineage says where it came from', async () => {
    const seen: { url: string; headers: Record<string, string> }[] = [];
    const source = await read('models:/churn@champion', registry(standard, seen), { MLFLOW_TRACKING_URI: `${URI}/`, MLFLOW_TRACKING_TOKEN: 't0k' });
    expect(Buffer.from(source.bytes)).toEqual(Buffer.from([0x80, 4, 1, 2, 3]));
    expect(source).toMatchObject({ format: 'sklearn', fileName: 'model.pkl' });
    expect(source.lineage).toEqual({
      trackingUri: URI,
      name: 'churn',
      version: '4',
      alias: 'champion',
      runId: 'run-1',
      sourceUri: 'models:/m-abc',
      artifactUri: ARTIFACTS,
      flavour: 'sklearn',
      file: 'model.pkl',
    });
    expect(seen.map((s) => new URL(s.url).pathname)).toEqual([
      '/api/2.0/mlflow/registered-models/alias',
      '/api/2.0/mlflow/model-versions/get-download-uri',
      '/api/2.0/mlflow-artifacts/artifacts/0/models/m-abc/artifacts/MLmodel',
      '/api/2.0/mlflow-artifacts/artifacts/0/models/m-abc/artifacts/model.pkl',
    ]);
    for (const request of seen) expect(request.headers.authorization).toBe('Bearer t0k');
  });

  test('a version by number, with basic credentials', async () => {
    const seen: { url: string; headers: Record<string, string> }[] = [];
    const source = await read('models:/churn/4', registry(standard, seen), {
      MLFLOW_TRACKING_URI: URI,
      MLFLOW_TRACKING_USERNAME: 'ci',
      MLFLOW_TRACKING_PASSWORD: 'pw',
    });
    expect(source.lineage).not.toHaveProperty('alias');
    expect(seen[0]?.headers.authorization).toBe(`Basic ${Buffer.from('ci:pw').toString('base64')}`);
  });

  test('an unknown model, version or alias is refused with its name', async () => {
    expect(await failure(read('models:/churn/9', registry(standard)))).toEqual({
      retried: false,
      type: 'ModelSourceUnreadable',
      message: `models:/churn/9 is not in the MLflow registry at ${URI} (404: RESOURCE_DOES_NOT_EXIST: nothing at /api/2.0/mlflow/model-versions/get)`,
    });
    const alias = registry({
      '/api/2.0/mlflow/registered-models/alias?name=churn&alias=nope': () =>
        Response.json({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Registered model alias nope not found.' }, { status: 400 }),
    });
    expect(await failure(read('models:/churn@nope', alias))).toMatchObject({
      retried: false,
      message: expect.stringContaining('models:/churn@nope is not in the MLflow registry'),
    });
  });

  test('an unreachable or failing registry is an infrastructure error naming its URI, retried', async () => {
    const down = (async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    }) as typeof fetch;
    expect(await failure(read('models:/churn/4', down))).toEqual({
      retried: true,
      message: `the MLflow tracking server ${URI} is unreachable (ECONNREFUSED) while reading models:/churn/4`,
    });
    const failing = registry({ '/api/2.0/mlflow/model-versions/get?name=churn&version=4': () => new Response('upstream timeout', { status: 503 }) });
    expect(await failure(read('models:/churn/4', failing))).toEqual({
      retried: true,
      message: `the MLflow tracking server ${URI} answered 503 while reading models:/churn/4: upstream timeout`,
    });
    const html = registry({ ...standard, '/api/2.0/mlflow/model-versions/get?name=churn&version=4': () => new Response('<html>login</html>') });
    expect(await failure(read('models:/churn/4', html))).toMatchObject({
      retried: true,
      message: expect.stringContaining('answered unexpectedly for models:/churn/4'),
    });
  });

  test('refused credentials, a missing tracking URI, an unsupported artifact store and an oversized file are refusals that say what to do', async () => {
    const locked = registry({ '/api/2.0/mlflow/model-versions/get?name=churn&version=4': () => new Response('', { status: 401 }) });
    expect((await failure(read('models:/churn/4', locked))).message).toBe(
      `the MLflow tracking server ${URI} refused access to models:/churn/4 (401): set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, on the worker`,
    );
    expect(await failure(read('models:/churn/4', registry(standard), {}))).toMatchObject({
      retried: false,
      message: 'a models:/ source needs the MLflow tracking server: set MLFLOW_TRACKING_URI on the worker',
    });
    expect((await failure(read('models:/churn/4', registry(standard), { MLFLOW_TRACKING_URI: 'databricks' }))).message).toMatch(
      /is not an http\(s\):\/\/ tracking server/,
    );
    const gcs = registry({
      ...standard,
      '/api/2.0/mlflow/model-versions/get-download-uri?name=churn&version=4': () => Response.json({ artifact_uri: 'gs://bucket/m' }),
    });
    expect((await failure(read('models:/churn/4', gcs))).message).toMatch(
      /^the registry keeps this model's artifacts at gs:\/\/bucket\/m, which Modelship does not read: /,
    );
    expect(await failure(read('models:/churn/4', registry(standard), undefined, 3))).toMatchObject({
      retried: false,
      message: expect.stringMatching(/over the limit of 3 bytes/),
    });
  });

  test('a pending registration is retried; a failed one is refused', async () => {
    const with_ = (status: string) =>
      registry({ ...standard, '/api/2.0/mlflow/model-versions/get?name=churn&version=4': () => Response.json({ model_version: { ...VERSION, status } }) });
    expect(await failure(read('models:/churn/4', with_('PENDING_REGISTRATION')))).toMatchObject({ retried: true });
    expect(await failure(read('models:/churn/4', with_('FAILED_REGISTRATION')))).toMatchObject({ retried: false });
  });

  test('a PyTorch model saved as a pickled module is refused with how to log it instead', async () => {
    const pytorch = registry({
      ...standard,
      '/api/2.0/mlflow-artifacts/artifacts/0/models/m-abc/artifacts/MLmodel': () => new Response('flavors:\n  pytorch:\n    model_data: data\n'),
    });
    expect((await failure(read('models:/churn/4', pytorch))).message).toMatch(
      /holds no torch\.export program \(data\/model\.pt2\).*serialization_format='pt2'/,
    );
  });
});
