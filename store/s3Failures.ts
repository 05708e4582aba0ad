/**
 * S3 failures that are settings, in words: no credentials, credentials refused, a bucket that does
 * not exist. Each becomes a {@link SetupError} naming the variable to set; anything else (an outage,
 * a missing key) is left as it is.
 */
import { SetupError } from '../sdk/errors';

/** Which store, on which server, and how its requests are signed. */
export interface S3Target {
  uri: string;
  /** What `uri` is, in words: `the store` unless said (`the model source`). */
  what?: string;
  bucket: string;
  /** `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`; undefined for AWS itself. */
  endpoint: string | undefined;
  /** Requests are unsigned (`MODELSHIP_S3_ANONYMOUS=1`). */
  anonymous: boolean;
}

const REFUSED = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'InvalidToken', 'ExpiredToken', 'Forbidden']);

/** The setting behind `error`, as a {@link SetupError}; undefined when `error` is not about a setting. */
export function s3FailureInWords(error: unknown, target: S3Target): SetupError | undefined {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const at = target.endpoint ? ` at ${target.endpoint}` : '';
  const subject = `${target.what ?? 'the store'} ${target.uri}`;
  if (e?.name === 'CredentialsProviderError') {
    return new SetupError(
      `no S3 credentials for ${subject}${at}`,
      'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE, a web identity or an instance role); ' +
        'for an S3 server that needs no login (SeaweedFS or MinIO without auth), set MODELSHIP_S3_ANONYMOUS=1',
    );
  }
  // A source's bucket is the spec's to fix, not a setting: the reader refuses the source itself.
  if (e?.name === 'NoSuchBucket' && target.what === undefined) {
    return new SetupError(
      `the store's bucket ${target.bucket} does not exist${at}`,
      `create it (e.g. \`aws s3 mb s3://${target.bucket}${target.endpoint ? ` --endpoint-url ${target.endpoint}` : ''}\`), or point MODELSHIP_STORE / --store at one that exists`,
    );
  }
  if ((e?.name && REFUSED.has(e.name)) || e?.$metadata?.httpStatusCode === 403) {
    const what = target.anonymous ? 'unsigned requests (MODELSHIP_S3_ANONYMOUS=1)' : 'the credentials';
    return new SetupError(
      `S3 refused ${what} for ${subject}${at}: ${e?.name ?? 'HTTP 403'}${e?.message ? ` (${e.message.split('\n', 1)[0]})` : ''}`,
      target.anonymous
        ? 'this server needs a login: unset MODELSHIP_S3_ANONYMOUS and set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY'
        : 'check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE / the role), and that they may list, read, write and delete in the bucket',
    );
  }
  return undefined;
}
