/** Opens an artifact store from its URI: `file://…`, a plain path, or `s3://bucket/prefix`. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { SetupError } from '../sdk/errors';
import type { ArtifactStore } from './artifactStore';
import { FsArtifactStore } from './fsArtifactStore';
import { S3ArtifactStore } from './s3ArtifactStore';
import { createS3Client } from './s3Client';

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
    const location = { bucket, prefix: prefix.join('/') };
    const client = createS3Client({ uri: `s3://${rest}`, bucket }, { env: options.env, overrides: options.s3 });
    return new S3ArtifactStore(client, location);
  }
  if (uri.startsWith('file://')) return new FsArtifactStore(fileURLToPath(uri));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) {
    throw new SetupError(`unsupported store URI ${uri}`, 'set MODELSHIP_STORE (or --store) to a path, file:///…, or s3://bucket[/prefix]');
  }
  return new FsArtifactStore(path.resolve(uri));
}
