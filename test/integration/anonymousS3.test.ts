/**
 * An S3 server that needs no login (SeaweedFS `weed mini` without auth), with no AWS credentials in
 * the environment: without `MODELSHIP_S3_ANONYMOUS` the gateway and the worker stop with words
 * naming the variables, not a `CredentialsProviderError` stack; with it they run, unsigned.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { PACKAGE_ROOT, tsEntry } from '../../cli/dev/projectPaths';
import { releaseVersion } from '../../activities/rollout/releaseVersion';
import { standaloneContext } from '../../activities/activityContext';
import { openStore, putModel, s3ConfigFromEnv } from '../../store';
import { ADMIN_TOKEN, modelPath, processEnv, startGatewayProcess, startWorkerProcess, testEnv } from '../support/testEnv';

const bucket = `anonymous-${randomUUID().slice(0, 8)}`;
const storeUri = `s3://${bucket}/store`;
const running: ManagedProcess[] = [];

/** The environment of a process on this machine with no AWS credentials anywhere: only the S3 server's address. */
function noCredentials(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(processEnv(storeUri)).filter(([key]) => !key.startsWith('AWS_')));
  return {
    ...env,
    AWS_ENDPOINT_URL_S3: testEnv('s3Endpoint'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(PACKAGE_ROOT, 'no-such-aws-credentials'),
    AWS_CONFIG_FILE: path.join(PACKAGE_ROOT, 'no-such-aws-config'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

/** Runs a command to its end: exit code and output. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { env, cwd: PACKAGE_ROOT }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  const s3 = new S3Client(s3ConfigFromEnv({ AWS_ENDPOINT_URL_S3: testEnv('s3Endpoint'), MODELSHIP_S3_ANONYMOUS: '1' }));
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  s3.destroy();
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
});

test('serve without credentials says which variables to set, without a stack trace', async () => {
  const { code, stderr } = await run(path.join(PACKAGE_ROOT, 'bin', 'modelship'), ['serve', '--port', '0', '--store', storeUri], noCredentials());
  expect(code).toBe(1);
  expect(stderr).toContain(`error: no S3 credentials for the store ${storeUri} at ${testEnv('s3Endpoint')}`);
  expect(stderr).toContain('set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  expect(stderr).toContain('MODELSHIP_S3_ANONYMOUS=1');
  expect(stderr).not.toMatch(/CredentialsProviderError|\n\s+at /);
});

test('the worker without credentials refuses to start, in words', async () => {
  const entry = tsEntry('workers/cpu.ts');
  const { code, stderr } = await run(entry.command, entry.args, noCredentials());
  expect(code).toBe(1);
  expect(stderr).toContain(`modelship cpu worker cannot start: no S3 credentials for the store ${storeUri}`);
  expect(stderr).toContain('MODELSHIP_S3_ANONYMOUS=1');
  expect(stderr).not.toMatch(/CredentialsProviderError|\n\s+at /);
});

test('a bucket that does not exist is named, with what to do', async () => {
  const missing = `s3://no-such-bucket-${randomUUID().slice(0, 8)}`;
  const { code, stderr } = await run(
    path.join(PACKAGE_ROOT, 'bin', 'modelship'),
    ['serve', '--port', '0', '--store', missing],
    noCredentials({ MODELSHIP_S3_ANONYMOUS: '1' }),
  );
  expect(code).toBe(1);
  expect(stderr).toContain(`error: the store's bucket ${missing.slice('s3://'.length)} does not exist at ${testEnv('s3Endpoint')}`);
  expect(stderr).toContain('MODELSHIP_STORE');
});

test('with MODELSHIP_S3_ANONYMOUS=1 a worker starts and gateways serve a release from the store, unsigned', async () => {
  const env = noCredentials({ MODELSHIP_S3_ANONYMOUS: '1' });
  const [worker, gateway] = await Promise.all([startWorkerProcess(storeUri, env), startGatewayProcess(storeUri, { env, replicaId: 'anonymous-0' })]);
  running.push(worker, gateway.process);

  // This process has no credentials either: the store opens anonymously from the same variables.
  const store = openStore(storeUri, { env });
  const { digest } = await putModel(store, await readFile(modelPath('classifier')), 'onnx');
  await releaseVersion(
    { store, context: standaloneContext(), adminToken: ADMIN_TOKEN },
    { endpoint: 'anonymous', version: 'v1', digest, timeoutMs: 30_000, minReplicas: 1, updatedBy: 'test' },
  );
  const response = await fetch(`${gateway.url}/v2/models/anonymous/infer`, {
    method: 'POST',
    body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] }),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('x-modelship-version')).toBe('v1');
});
