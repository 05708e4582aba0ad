/**
 * Reading a source from S3 (`s3://bucket/key`): only from allowed buckets, refused at once when the
 * object's declared size is over the cap, then streamed chunk by chunk with the cap counted again
 * (a server may not declare it), stopping when the activity is cancelled or times out.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { rejection } from '../failures';
import { SetupError } from '../../sdk/errors';
import { createS3Client } from '../../store';
import { overCapMessage, readCapped, type ReadSourceOptions } from './sourceRead';
import { bucketRefusedMessage } from './sourcePolicy';

/** S3 errors that mean "this object cannot be a source", as opposed to an outage worth retrying. */
const REFUSED_ERRORS = new Set(['NoSuchKey', 'NoSuchBucket', 'AccessDenied']);

export async function readS3Source(source: string, options: ReadSourceOptions): Promise<Uint8Array> {
  const [bucket, ...key] = source.slice('s3://'.length).split('/');
  if (!bucket || key.length === 0 || key.join('/') === '') throw rejection(options.failure, `${source} is not s3://bucket/key`);
  if (!options.policy.buckets.includes(bucket)) throw rejection(options.failure, bucketRefusedMessage(options.what, source, bucket, options.policy.buckets));
  // Missing or refused credentials come back as a SetupError naming the variables (the S3 error as its cause).
  const client = createS3Client({ uri: source, bucket, what: `the ${options.what}` });
  try {
    const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key.join('/') }), { abortSignal: options.context.signal });
    const body = response.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
    const declared = response.ContentLength;
    if (declared !== undefined && declared > options.maxBytes) {
      body?.destroy?.();
      throw rejection(options.failure, overCapMessage(options, source, declared));
    }
    return body ? (await readCapped(body, () => body.destroy?.(), source, options)).bytes : new Uint8Array();
  } catch (error) {
    const s3Error = error instanceof SetupError && error.cause !== undefined ? error.cause : error;
    const name = (s3Error as { name?: string }).name;
    if (name && REFUSED_ERRORS.has(name)) {
      const hint = error instanceof SetupError ? ` (${error.hint})` : '';
      throw rejection(options.failure, `cannot read the ${options.what} ${source}: ${name}${hint}`);
    }
    throw error;
  } finally {
    client.destroy();
  }
}
