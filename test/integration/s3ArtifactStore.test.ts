/** The S3 store against a real S3-compatible server (SeaweedFS on loopback, started by globalSetup). */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { openStore, s3ConfigFromEnv } from '../../store';
import { storeContract } from '../support/storeContract';
import { testEnv } from '../support/testEnv';

const env = (): NodeJS.ProcessEnv => ({
  AWS_ENDPOINT_URL_S3: testEnv('s3Endpoint'),
  AWS_ACCESS_KEY_ID: 'modelship',
  AWS_SECRET_ACCESS_KEY: 'modelship-secret',
  AWS_REGION: 'us-east-1',
});
const bucket = `modelship-test-${Date.now()}`;

beforeAll(async () => {
  const client = new S3Client(s3ConfigFromEnv(env(), { credentials: { accessKeyId: 'modelship', secretAccessKey: 'modelship-secret' } }));
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
});

describe('S3ArtifactStore on SeaweedFS', () => {
  storeContract(async () =>
    openStore(`s3://${bucket}/run-${randomUUID()}`, {
      env: env(),
      s3: { credentials: { accessKeyId: 'modelship', secretAccessKey: 'modelship-secret' } },
    }),
  );

  test('prefixes isolate stores in one bucket', async () => {
    const creds = { credentials: { accessKeyId: 'modelship', secretAccessKey: 'modelship-secret' } };
    const a = openStore(`s3://${bucket}/iso-a`, { env: env(), s3: creds });
    const b = openStore(`s3://${bucket}/iso-b`, { env: env(), s3: creds });
    await a.put('k/one.json', Buffer.from('a'));
    expect(await b.get('k/one.json')).toBeUndefined();
    expect(await a.list('k/')).toEqual(['k/one.json']);
    expect(await b.list('k/')).toEqual([]);
  });
});
