/** `ModelshipClient.close()` closes the store it opened from a URI (the S3 client's sockets), never one the caller passed in. */
import { Client } from '@temporalio/client';
import { ModelshipClient } from '../../sdk/client';
import { openStore } from '../../store';

test('close() closes the store the client opened from its URI', async () => {
  const client = ModelshipClient.fromClient(new Client(), 'test', { store: 's3://models/prod' });
  const close = jest.spyOn(client.store, 'close' as never);
  await client.close();
  expect(close).toHaveBeenCalledTimes(1);
});

test('close() leaves open a store the caller passed in', async () => {
  const store = openStore('s3://models/prod');
  const close = jest.spyOn(store, 'close' as never);
  const client = ModelshipClient.fromClient(new Client(), 'test', { store });
  expect(client.store).toBe(store);
  await client.close();
  expect(close).not.toHaveBeenCalled();
  store.close?.();
});
