/** Opens an artifact store from its URI: `file://…`, a plain path, or `s3://bucket/prefix`. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { SetupError } from '../sdk/errors';
import type { ArtifactStore } from './artifactStore';
import { FsArtifactStore } from './fsArtifactStore';
import { S3ArtifactStore } from './s3ArtifactStore';

/** The embedded default, relative to the working directory. */
export const DEFAULT_STORE_URI = '.modelship/store';

export interface OpenStoreOptions {
  /** Overrides for the S3 client; by default the standard AWS configuration is used. */
  s3?: S3ClientConfig;
  /** Environment to read S3 settings from (defaults to `process.env`). */
  env?: NodeJS.ProcessEnv;
}

export function openStore(uri: string = DEFAULT_STORE_URI, options: OpenStoreOptions = {}): ArtifactStore {
  if (uri.startsWith('s3://')) {
    const rest = uri.slice('s3://'.length).replace(/\/+$/, '');
    const [bucket, ...prefix] = rest.split('/');
    if (!bucket) throw new SetupError(`store URI ${uri} names no bucket`, 'set MODELSHIP_STORE (or --store) to s3://bucket[/prefix]');
    const env = options.env ?? process.env;
    const config = s3ConfigFromEnv(env, options.s3);
    const endpoint = typeof config.endpoint === 'string' ? config.endpoint : undefined;
    return S3ArtifactStore.create({ bucket, prefix: prefix.join('/') }, config, { endpoint, anonymous: isAnonymous(env) && !options.s3?.credentials });
  }
  if (uri.startsWith('file://')) return new FsArtifactStore(fileURLToPath(uri));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) {
    throw new SetupError(`unsupported store URI ${uri}`, 'set MODELSHIP_STORE (or --store) to a path, file:///…, or s3://bucket[/prefix]');
  }
  return new FsArtifactStore(path.resolve(uri));
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
