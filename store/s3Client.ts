/**
 * The one way Modelship builds an S3 client (the store's, and the one that reads `s3://` sources):
 * settings from the environment ({@link s3ConfigFromEnv}), and every failure that is a setting
 * (no credentials, credentials refused, no such bucket) turned into a {@link SetupError} naming the
 * variable to set ({@link s3FailureInWords}); the S3 error stays its `cause`.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { s3FailureInWords } from './s3Failures';

export interface S3ClientOptions {
  /** Environment to read S3 settings from (defaults to `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Explicit client settings, over the environment's. */
  overrides?: S3ClientConfig;
}

/** A client for `target.bucket`, whose errors name what it reads (`the store s3://models/prod` unless `what` says: `the model source`). */
export function createS3Client(target: { uri: string; bucket: string; what?: string }, options: S3ClientOptions = {}): S3Client {
  const env = options.env ?? process.env;
  const config = s3ConfigFromEnv(env, options.overrides);
  const client = new S3Client(config);
  const failureTarget = {
    ...target,
    endpoint: typeof config.endpoint === 'string' ? config.endpoint : undefined,
    anonymous: isAnonymous(env) && !options.overrides?.credentials,
  };
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const inWords = s3FailureInWords(error, failureTarget);
        if (!inWords) throw error;
        // The S3 error stays reachable, for callers that treat a status as an answer (touch: 403 on HEAD).
        inWords.cause = error;
        throw inWords;
      }
    },
    { step: 'initialize', name: 'modelshipFailuresInWords' },
  );
  return client;
}

/** `MODELSHIP_S3_ANONYMOUS=1` (or `true`): requests to the S3 server are not signed. */
function isAnonymous(env: NodeJS.ProcessEnv): boolean {
  return env.MODELSHIP_S3_ANONYMOUS === '1' || env.MODELSHIP_S3_ANONYMOUS === 'true';
}

/** Signs nothing: requests go out without an Authorization header, for servers that need no login. */
const UNSIGNED = { sign: async <R>(request: R): Promise<R> => request };

/**
 * S3 settings: `AWS_ENDPOINT_URL_S3`/`AWS_ENDPOINT_URL` for a non-AWS server (path-style addressing
 * then, unless `MODELSHIP_S3_FORCE_PATH_STYLE=false`), `AWS_REGION` (default `us-east-1`), and the
 * standard AWS credential chain, or, with `MODELSHIP_S3_ANONYMOUS=1`, no credentials and unsigned
 * requests (an S3 server without auth: SeaweedFS, MinIO). Explicit `overrides` win.
 */
export function s3ConfigFromEnv(env: NodeJS.ProcessEnv, overrides: S3ClientConfig = {}): S3ClientConfig {
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const config: S3ClientConfig = {
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_SUPPORTED',
  };
  if (endpoint) {
    config.endpoint = endpoint;
    config.forcePathStyle = env.MODELSHIP_S3_FORCE_PATH_STYLE !== 'false';
  }
  // The empty credentials are never used (the signer ignores them); they stop the SDK from looking for any.
  if (isAnonymous(env) && !overrides.credentials) Object.assign(config, { credentials: { accessKeyId: '', secretAccessKey: '' }, signer: UNSIGNED });
  return { ...config, ...overrides };
}
