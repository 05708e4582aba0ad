/**
 * The S3 store's touch on a server that answers 403 to a HEAD of a missing key (AWS, for a client
 * without s3:ListBucket): the object counts as absent and the PUT decides. The server here is an
 * in-process request handler standing in for S3's HTTP answers.
 */
import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { putContentAddressed } from '../../store';
import { S3ArtifactStore } from '../../store/s3ArtifactStore';
import { SetupError } from '../../sdk/errors';

/** A client whose server answers HEAD with `head` and PUT with `put`, recording the methods it saw. */
function storeAnswering(head: number, put: number): { store: S3ArtifactStore; methods: string[] } {
  const methods: string[] = [];
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    requestHandler: {
      handle: async (request: { method: string }) => {
        methods.push(request.method);
        const statusCode = request.method === 'HEAD' ? head : put;
        const body = statusCode === 403 && request.method !== 'HEAD' ? '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>' : '';
        return { response: { statusCode, headers: {}, body: Readable.from([Buffer.from(body)]) } };
      },
    } as never,
  });
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
