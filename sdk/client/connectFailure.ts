/**
 * What a failed `ModelshipClient.connect` means, by the gRPC status it failed with: no server (or no
 * answer in time) is a {@link TemporalConnectionError}; refused credentials, permissions or an
 * unknown namespace are a {@link TemporalAccessError} saying which setting to check.
 */
import { status as grpcStatus } from '@grpc/grpc-js';
import { isGrpcServiceError } from '@temporalio/client';
import { TemporalAccessError, TemporalConnectionError, type ModelshipClientError } from '../errors';

/** The connection settings a failure is about. */
export interface ConnectTarget {
  address: string;
  namespace: string;
}

/** `error`, thrown by `Connection.connect` to `target`, as the Modelship error it means. */
export function connectFailure(error: unknown, target: ConnectTarget): ModelshipClientError {
  const reason = error instanceof Error ? (error.message.split('\n', 1)[0] ?? '') : String(error);
  const { address, namespace } = target;
  switch (grpcCode(error)) {
    case grpcStatus.UNAUTHENTICATED:
      return new TemporalAccessError(
        address,
        reason,
        `Temporal at ${address} did not accept this client's credentials (${reason}): check the API key (TEMPORAL_API_KEY) or the TLS client certificate (TEMPORAL_TLS_*), or the \`apiKey\`/\`tls\` connection options`,
      );
    case grpcStatus.PERMISSION_DENIED:
      return new TemporalAccessError(
        address,
        reason,
        `Temporal at ${address} does not allow this client on namespace ${namespace} (${reason}): check what the API key or certificate may access`,
      );
    case grpcStatus.NOT_FOUND:
      return new TemporalAccessError(
        address,
        reason,
        `Temporal at ${address} has no namespace ${namespace} (${reason}): create it, or name an existing one with TEMPORAL_NAMESPACE (the \`namespace\` connection option)`,
      );
    default: // UNAVAILABLE, DEADLINE_EXCEEDED, a refused socket, a connect timeout: nothing answered
      return new TemporalConnectionError(address, reason);
  }
}

/** The gRPC status code of the error or of its cause. */
function grpcCode(error: unknown): number | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e)) return e.code;
  }
  return undefined;
}
