/**
 * The S3 store's touch on a server that answers 403 to a HEAD of a missing key (AWS, for a client
 * without s3:ListBucket): the object counts as absent and the PUT decides; and the one S3 client
 * factory naming what a refused client reads. The server here is an in-process request handler
 * standing in for S3's HTTP answers.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client, putContentAddressed } from '../../store';
import { S3ArtifactStore } from '../../store/s3ArtifactStore';
import { SetupError } from '../../sdk/errors';

/** A client (from the one factory) whose server answers HEAD with `head` and other methods with `other`, recording the methods it saw. */
function clientAnswering(
  head: number,
  put: number,
  target: { uri: string; bucket: string; what?: string } = { uri: 's3://models', bucket: 'models' },
): { client: ReturnType<typeof createS3Client>; methods: string[] } {
  const methods: string[] = [];
  const client = createS3Client(target, {
    env: { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1' },
    overrides: {
      credentials: { accessKeyId: 'k', secretAccessKey: 's' },
      requestHandler: {
        handle: async (request: { method: string }) => {
          methods.push(request.method);
          const statusCode = request.method === 'HEAD' ? head : put;
          const body = statusCode === 403 && request.method !== 'HEAD' ? '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>' : '';
          return { response: { statusCode, headers: {}, body: Readable.from([Buffer.from(body)]) } };
        },
      } as never,
    },
  });
  return { client, methods };
}

function storeAnswering(head: number, put: number): { store: S3ArtifactStore; methods: string[] } {
  const { client, methods } = clientAnswering(head, put);
  return { store: new S3ArtifactStore(client, { bucket: 'models', prefix: '' }), methods };
}

test('a HEAD refused with 403 is "not there": touch says false and the PUT goes ahead', async () => {
  const { store, methods } = storeAnswering(403, 200);
  expect(await store.touch('sources/abc.onnx')).toBe(false);
  await putContentAddressed(store, 'sources/abc.onnx', new Uint8Array([1, 2, 3]));
  expect(methods).toEqual(['HEAD', 'HEAD', 'PUT']);
});

test('when the PUT is refused too, the error names the credentials', async () => {
  const { store } = storeAnswering(403, 403);
  const error = await putContentAddressed(store, 'sources/abc.onnx', new Uint8Array([1])).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SetupError);
  expect((error as SetupError).message).toContain('S3 refused the credentials for the store s3://models');
});

test('the factory names what the client reads: a refused source read says which source and which variables', async () => {
  const { client } = clientAnswering(403, 403, { uri: 's3://datasets/model.onnx', bucket: 'datasets', what: 'the model source' });
  const error = await client.send(new GetObjectCommand({ Bucket: 'datasets', Key: 'model.onnx' })).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SetupError);
  expect((error as SetupError).message).toMatch(
    /^S3 refused the credentials for the model source s3:\/\/datasets\/model.onnx at http:\/\/127.0.0.1:1: AccessDenied/,
  );
  expect((error as SetupError).hint).toContain('AWS_ACCESS_KEY_ID');
  expect(((error as SetupError).cause as { name?: string }).name).toBe('AccessDenied');
});
