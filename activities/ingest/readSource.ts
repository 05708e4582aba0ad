/** Reading a user's file (model, golden inputs, evaluation set) from a `file://`/absolute path or `s3://` URI. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { FailureType } from '../../sdk/errors';
import { rejection } from '../failures';
import { s3ConfigFromEnv } from '../../store';

export async function readSource(source: string, missing: FailureType = 'ModelSourceUnreadable'): Promise<Uint8Array> {
  if (source.startsWith('file://') || source.startsWith('/')) {
    const file = source.startsWith('file://') ? fileURLToPath(source) : source;
    try {
      return await readFile(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES' || code === 'ENOTDIR') {
        throw rejection(missing, `cannot read ${source}: ${code}`);
      }
      throw error;
    }
  }
  if (source.startsWith('s3://')) {
    const [bucket, ...key] = source.slice('s3://'.length).split('/');
    if (!bucket || key.length === 0) throw rejection(missing, `${source} is not s3://bucket/key`);
    const client = new S3Client(s3ConfigFromEnv(process.env));
    try {
      const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key.join('/') }));
      return (await response.Body?.transformToByteArray()) ?? new Uint8Array();
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'AccessDenied') {
        throw rejection(missing, `cannot read ${source}: ${name}`);
      }
      throw error;
    } finally {
      client.destroy();
    }
  }
  throw rejection(missing, `unsupported location ${source}: use a path, file:// or s3://`);
}
