import { status } from '@grpc/grpc-js';
import { HttpError } from '../../protocol/httpError';
import { GRPC_STATUS_OF_HTTP, grpcStatusOf, toServiceError } from '../../serving/grpc/grpcStatus';
import { NonFiniteOutputError } from '../../serving/nonFiniteOutputs';

describe('gRPC statuses', () => {
  test('each HTTP status the gateway answers with has its gRPC status', () => {
    expect(GRPC_STATUS_OF_HTTP).toMatchObject({
      400: status.INVALID_ARGUMENT,
      401: status.UNAUTHENTICATED,
      403: status.PERMISSION_DENIED,
      404: status.NOT_FOUND,
      413: status.RESOURCE_EXHAUSTED,
      429: status.RESOURCE_EXHAUSTED,
      500: status.INTERNAL,
      503: status.UNAVAILABLE,
    });
    expect(grpcStatusOf(418)).toBe(status.INVALID_ARGUMENT);
    expect(grpcStatusOf(502)).toBe(status.INTERNAL);
  });

  test('an error keeps its message, and its headers travel as trailing metadata', () => {
    const error = toServiceError(new HttpError(429, 'too many requests', { 'retry-after': '1' }));
    expect(error).toMatchObject({ code: status.RESOURCE_EXHAUSTED, details: 'too many requests' });
    expect(error.metadata?.get('retry-after')).toEqual(['1']);
    const nonFinite = toServiceError(new NonFiniteOutputError('iris', 'v3', [{ name: 'p', nonFinite: 1, values: 3 }]));
    expect(nonFinite).toMatchObject({ code: status.INTERNAL, details: expect.stringMatching(/model iris\/v3 produced non-finite values/) });
    expect(nonFinite.metadata?.get('x-modelship-version')).toEqual(['v3']);
    expect(toServiceError(new Error('boom'))).toMatchObject({ code: status.INTERNAL, details: 'boom' });
  });
});
