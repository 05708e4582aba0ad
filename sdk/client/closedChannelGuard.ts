/**
 * gRPC interceptors for a connection a client may close while calls are in flight. Temporal's retry
 * interceptor retries a call that failed with UNAVAILABLE — which is how every call in flight fails
 * when the channel shuts down — and its retry, on a timer, throws `Channel has been shut down` where
 * nothing can catch it: the process crashed. Here retries stop once the client is closed, and a call
 * made on a closed client (a retry already on its timer) ends with CANCELLED instead of touching the channel.
 */
import { InterceptingCall, Metadata, status, type Interceptor } from '@grpc/grpc-js';
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';

/** Temporal's default retries, none once `isClosed()`; then the guard below. */
export function closedChannelInterceptors(isClosed: () => boolean): Interceptor[] {
  const retry = defaultGrpcRetryOptions();
  return [
    makeGrpcRetryInterceptor({ ...retry, retryableDecider: (attempt, callStatus) => !isClosed() && retry.retryableDecider(attempt, callStatus) }),
    (options, nextCall) => (isClosed() ? new InterceptingCall(endedCall()) : new InterceptingCall(nextCall(options))),
  ];
}

/** What an `InterceptingCall` wraps (grpc-js does not export the interface by name). */
type NextCall = ConstructorParameters<typeof InterceptingCall>[0];

/** A call that never reaches the channel: it ends at once with CANCELLED. */
function endedCall(): NextCall {
  const nothing = (): void => undefined;
  return {
    start(_metadata, listener) {
      setImmediate(() => {
        // As grpc-js's unary calls do: no message (null), then the status.
        listener?.onReceiveMessage?.(null);
        listener?.onReceiveStatus?.({ code: status.CANCELLED, details: 'the Modelship client is closed', metadata: new Metadata() });
      });
    },
    cancelWithStatus: nothing,
    getPeer: () => '',
    sendMessageWithContext: nothing,
    sendMessage: nothing,
    startRead: nothing,
    halfClose: nothing,
    getAuthContext: () => null,
  };
}
