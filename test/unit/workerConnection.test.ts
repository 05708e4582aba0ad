/** A worker that cannot reach Temporal says where it tried and which variable sets it, instead of a stack. */
import { createServer } from 'node:net';
import { SetupError } from '../../sdk/errors';
import { connectToTemporal, workerSettingsFromEnv } from '../../workers/options';

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('an unreachable TEMPORAL_ADDRESS is a SetupError naming it', async () => {
  const address = `127.0.0.1:${await closedPort()}`;
  const settings = workerSettingsFromEnv({ TEMPORAL_ADDRESS: address });
  const error = await connectToTemporal(settings.connection).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SetupError);
  expect((error as SetupError).message).toMatch(new RegExp(`^cannot reach Temporal at ${address} \\(namespace default\\): `));
  expect((error as SetupError).hint).toContain('set TEMPORAL_ADDRESS');
});
