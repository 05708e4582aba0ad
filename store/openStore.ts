/** Opens an artifact store from its URI: `file://…`, a plain path, or `s3://bucket/prefix`. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
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
    if (!bucket) throw new Error(`store URI ${uri} names no bucket: use s3://bucket[/prefix]`);
    return S3ArtifactStore.create({ bucket, prefix: prefix.join('/') }, s3ConfigFromEnv(options.env ?? process.env, options.s3));
  }
  if (uri.startsWith('file://')) return new FsArtifactStore(fileURLToPath(uri));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) throw new Error(`unsupported store URI ${uri}: use file://, a path, or s3://`);
  return new FsArtifactStore(path.resolve(uri));
}

/**
 * S3 settings: `AWS_ENDPOINT_URL_S3`/`AWS_ENDPOINT_URL` for a non-AWS server (path-style addressing
 * then, unless `MODELSHIP_S3_FORCE_PATH_STYLE=false`), `AWS_REGION` (default `us-east-1`), and the
 * standard AWS credential chain.
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
  return { ...config, ...overrides };
}
