/** What a failed connect means (`sdk/client/connectFailure.ts`): nothing answering is "unreachable"; refused credentials, permissions or namespace say so. */
import { Metadata, status } from '@grpc/grpc-js';
import { ServiceError } from '@temporalio/client';
import { connectFailure } from '../../sdk/client/connectFailure';
import { TemporalAccessError, TemporalConnectionError } from '../../sdk/errors';

const target = { address: 'acme.tmprl.cloud:7233', namespace: 'acme.a1b2c' };
const grpc = (code: status, details: string) => Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata: new Metadata() });

test('no server, or none in time, is a TemporalConnectionError', () => {
  expect(connectFailure(grpc(status.UNAVAILABLE, 'No connection established'), target)).toBeInstanceOf(TemporalConnectionError);
  expect(connectFailure(grpc(status.DEADLINE_EXCEEDED, 'Deadline exceeded'), target)).toBeInstanceOf(TemporalConnectionError);
  expect(connectFailure(new Error('Failed to connect before the deadline'), target)).toMatchObject({
    name: 'TemporalConnectionError',
    address: target.address,
    reason: 'Failed to connect before the deadline',
  });
});

test('refused credentials, permissions and an unknown namespace each say what to check', () => {
  const unauthenticated = connectFailure(new ServiceError('Failed to connect', { cause: grpc(status.UNAUTHENTICATED, 'Request unauthorized') }), target);
  expect(unauthenticated).toBeInstanceOf(TemporalAccessError);
  expect(unauthenticated.message).toMatch(/did not accept this client's credentials .*API key \(TEMPORAL_API_KEY\)/);
  expect(connectFailure(grpc(status.PERMISSION_DENIED, 'Request unauthorized'), target).message).toMatch(/does not allow this client on namespace acme\.a1b2c/);
  expect(connectFailure(grpc(status.NOT_FOUND, 'Namespace acme.a1b2c is not found'), target).message).toMatch(
    /has no namespace acme\.a1b2c .*TEMPORAL_NAMESPACE \(the `namespace` connection option\)/,
  );
  expect(unauthenticated).not.toBeInstanceOf(TemporalConnectionError);
});
