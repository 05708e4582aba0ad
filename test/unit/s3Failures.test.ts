/** Store settings in words: every missing or refused setting names the variable to set. */
import { describeCliError } from '../../cli/errorReport';
import { SetupError } from '../../sdk/errors';
import { openStore, s3ConfigFromEnv } from '../../store';
import { s3FailureInWords, type S3Target } from '../../store/s3Failures';

const target: S3Target = { uri: 's3://models/prod', bucket: 'models', endpoint: 'http://127.0.0.1:8333', anonymous: false };
const awsError = (name: string, message: string, httpStatusCode?: number): Error =>
  Object.assign(new Error(message), { name, ...(httpStatusCode ? { $metadata: { httpStatusCode } } : {}) });

test('no credentials: the variables to set, and anonymous access for servers without a login', () => {
  const words = s3FailureInWords(awsError('CredentialsProviderError', 'Could not load credentials from any providers'), target);
  expect(words).toBeInstanceOf(SetupError);
  expect(words?.message).toBe('no S3 credentials for the store s3://models/prod at http://127.0.0.1:8333');
  expect(words?.hint).toContain('set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  expect(words?.hint).toContain('MODELSHIP_S3_ANONYMOUS=1');
});

test('credentials refused: which ones, and what to check', () => {
  const signed = s3FailureInWords(awsError('InvalidAccessKeyId', 'The AWS access key Id you provided does not exist in our records.', 403), target);
  expect(signed?.message).toBe(
    'S3 refused the credentials for the store s3://models/prod at http://127.0.0.1:8333: InvalidAccessKeyId (The AWS access key Id you provided does not exist in our records.)',
  );
  expect(signed?.hint).toContain('check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  const unsigned = s3FailureInWords(awsError('AccessDenied', 'Access Denied', 403), { ...target, anonymous: true });
  expect(unsigned?.message).toContain('S3 refused unsigned requests (MODELSHIP_S3_ANONYMOUS=1)');
  expect(unsigned?.hint).toBe('this server needs a login: unset MODELSHIP_S3_ANONYMOUS and set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
});

test('a missing bucket: how to create it, or which variable points elsewhere', () => {
  const words = s3FailureInWords(awsError('NoSuchBucket', 'The specified bucket does not exist', 404), target);
  expect(words?.message).toBe("the store's bucket models does not exist at http://127.0.0.1:8333");
  expect(words?.hint).toBe(
    'create it (e.g. `aws s3 mb s3://models --endpoint-url http://127.0.0.1:8333`), or point MODELSHIP_STORE / --store at one that exists',
  );
});

test('anything else (a missing key, an outage) is left as it is', () => {
  expect(s3FailureInWords(awsError('NoSuchKey', 'The specified key does not exist.', 404), target)).toBeUndefined();
  expect(s3FailureInWords(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), target)).toBeUndefined();
});

test('a store URI that cannot be opened names MODELSHIP_STORE', () => {
  expect(() => openStore('s3://')).toThrow(SetupError);
  const report = describeCliError(
    (() => {
      try {
        openStore('gs://bucket/x');
      } catch (error) {
        return error;
      }
    })(),
  );
  expect(report.message).toBe('unsupported store URI gs://bucket/x');
  expect(report.hint).toBe('set MODELSHIP_STORE (or --store) to a path, file:///…, or s3://bucket[/prefix]');
});

test('MODELSHIP_S3_ANONYMOUS=1: no credentials looked up, nothing signed; explicit credentials win', async () => {
  const config = s3ConfigFromEnv({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:8333', MODELSHIP_S3_ANONYMOUS: '1' });
  expect(config.credentials).toEqual({ accessKeyId: '', secretAccessKey: '' });
  const request = { headers: {} };
  expect(await (config.signer as { sign(r: unknown): Promise<unknown> }).sign(request)).toBe(request);
  expect(s3ConfigFromEnv({ AWS_ENDPOINT_URL_S3: 'http://x' }).signer).toBeUndefined();
  const explicit = s3ConfigFromEnv({ MODELSHIP_S3_ANONYMOUS: '1' }, { credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  expect(explicit).toMatchObject({ credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  expect(explicit.signer).toBeUndefined();
});
