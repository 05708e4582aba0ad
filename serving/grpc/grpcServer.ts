/**
 * The gateway's KServe v2 gRPC server (`@grpc/grpc-js`, HTTP/2) on its own port beside REST: the
 * service defined by `protocol/grpcInferenceService.proto`, answered by `grpcService.ts`, with
 * messages limited to the gateway's `maxBodyBytes` (a larger one is RESOURCE_EXHAUSTED).
 *
 * @example
 * const grpc = await startGrpcServer(context, { port: 8001, host: '127.0.0.1', log });
 * // tritonclient.grpc.InferenceServerClient(grpc.address)
 * await grpc.close();
 */
import { loadPackageDefinition, Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';
import { loadInferenceProto, SERVICE_NAME } from '../../protocol/grpcMessages';
import type { GatewayContext } from '../gatewayContext';
import { inferenceService } from './grpcService';

export interface GrpcServerOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
  log: (message: string) => void;
}

export interface GrpcServer {
  /** `host:port` clients connect to. */
  readonly address: string;
  /** Stops taking calls and waits for those in flight (cut off after `graceMs`). */
  close(graceMs?: number): Promise<void>;
}

export async function startGrpcServer(context: GatewayContext, options: GrpcServerOptions): Promise<GrpcServer> {
  const server = new Server({ 'grpc.max_receive_message_length': context.maxBodyBytes });
  server.addService(serviceDefinition(), inferenceService(context, options.log));
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host}:${options.port}`, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return {
    address: `${host}:${port}`,
    close: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        const cutOff = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(cutOff);
          resolve();
        });
      }),
  };
}

/** The service's definition from the .proto. */
function serviceDefinition(): ServiceDefinition {
  const [packageName, serviceName] = SERVICE_NAME.split('.') as [string, string];
  const root = loadPackageDefinition(loadInferenceProto()) as Record<string, Record<string, { service: ServiceDefinition }>>;
  const service = root[packageName]?.[serviceName]?.service;
  if (!service) throw new Error(`${SERVICE_NAME} is not defined in the gRPC proto`);
  return service;
}
