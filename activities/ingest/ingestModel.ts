/** Ingest: copy the model from its source into the store, content-addressed. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ModelArtifact, ModelFormat } from '../../sdk/schemas';
import { rejection } from '../failures';
import { putModel, s3ConfigFromEnv, type ArtifactStore } from '../store';

export interface IngestInput {
  /** A `file://` or `s3://bucket/key` URI (the client resolves relative paths). */
  source: string;
  format: ModelFormat;
}

export async function ingestModel(store: ArtifactStore, input: IngestInput): Promise<ModelArtifact> {
  const bytes = await readSource(input.source);
  if (bytes.byteLength === 0) throw rejection('ModelSourceUnreadable', `model source ${input.source} is empty`);
  return putModel(store, bytes, input.format);
}

async function readSource(source: string): Promise<Uint8Array> {
  if (source.startsWith('file://') || source.startsWith('/')) {
    const path = source.startsWith('file://') ? fileURLToPath(source) : source;
    try {
      return await readFile(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES' || code === 'ENOTDIR') {
        throw rejection('ModelSourceUnreadable', `cannot read model source ${source}: ${code}`);
      }
      throw error;
    }
  }
  if (source.startsWith('s3://')) {
    const [bucket, ...key] = source.slice('s3://'.length).split('/');
    if (!bucket || key.length === 0) throw rejection('ModelSourceUnreadable', `model source ${source} is not s3://bucket/key`);
    const client = new S3Client(s3ConfigFromEnv(process.env));
    try {
      const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key.join('/') }));
      return (await response.Body?.transformToByteArray()) ?? new Uint8Array();
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'AccessDenied') {
        throw rejection('ModelSourceUnreadable', `cannot read model source ${source}: ${name}`);
      }
      throw error;
    } finally {
      client.destroy();
    }
  }
  throw rejection('ModelSourceUnreadable', `unsupported model source ${source}: use a path, file:// or s3://`);
}
