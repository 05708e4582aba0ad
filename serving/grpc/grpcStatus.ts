/**
 * Gateway errors as gRPC statuses: the one table from the HTTP status of an {@link HttpError} (what
 * the inference core and the REST routes throw) to a gRPC status code, with the same message, and
 * the error's headers (`retry-after`, `x-modelship-version`) as trailing metadata.
 */
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { HttpError } from '../../protocol/httpError';

/** gRPC status code of each HTTP status the gateway answers with. */
export const GRPC_STATUS_OF_HTTP: Readonly<Record<number, status>> = Object.freeze({
  400: status.INVALID_ARGUMENT,
  401: status.UNAUTHENTICATED,
  403: status.PERMISSION_DENIED,
  404: status.NOT_FOUND,
  405: status.UNIMPLEMENTED,
  // Past the size limit: what grpc-js itself answers for a message over its receive limit.
  413: status.RESOURCE_EXHAUSTED,
  415: status.INVALID_ARGUMENT,
  429: status.RESOURCE_EXHAUSTED,
  500: status.INTERNAL,
  503: status.UNAVAILABLE,
});

/** The gRPC status of an HTTP status: from the table, else INVALID_ARGUMENT for other 4xx and INTERNAL for the rest. */
export function grpcStatusOf(httpStatus: number): status {
  return GRPC_STATUS_OF_HTTP[httpStatus] ?? (httpStatus >= 400 && httpStatus < 500 ? status.INVALID_ARGUMENT : status.INTERNAL);
}

/** The error a unary handler answers with: an HttpError's status and message, anything else INTERNAL. */
export function toServiceError(error: unknown): Partial<ServiceError> & { code: status; details: string } {
  const details = error instanceof Error ? error.message : String(error);
  if (!(error instanceof HttpError)) return { code: status.INTERNAL, details };
  const metadata = new Metadata();
  for (const [name, value] of Object.entries(error.headers)) metadata.set(name, value);
  return { code: grpcStatusOf(error.status), details, metadata };
}
