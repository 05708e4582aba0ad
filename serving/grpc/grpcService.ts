/**
 * The methods of `inference.GRPCInferenceService` (KServe v2 gRPC) over the gateway's parts:
 * health, server and model metadata and readiness, the repository index, and ModelInfer through the
 * same inference core as REST (routing from gRPC metadata, the inference token from `authorization`
 * metadata, stats, metrics, capture, shadow). Errors become gRPC statuses (`grpcStatus.ts`).
 */
import { status, type Metadata, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { grpcInferResponse, readGrpcInferRequest } from '../../protocol/grpcContents';
import type { ModelInferRequest, ModelInferResponse, ModelMetadataResponse, ModelRef, RepositoryIndexResponse } from '../../protocol/grpcMessages';
import { decodeInputs, requestedOutputs } from '../../protocol/kserveProtocol';
import type { GatewayContext } from '../gatewayContext';
import { runInference } from '../inference';
import { authorizeInference } from '../bearerAuth';
import { describeModel, modelReadiness } from '../modelInfo';
import { repositoryIndex } from '../repositoryIndex';
import { SERVER_NAME, SERVER_VERSION } from '../routes/server';
import { toServiceError } from './grpcStatus';

/** The service's handlers, by method name, answering from `context`; `log` hears of internal errors. */
export function inferenceService(context: GatewayContext, log: (message: string) => void): UntypedServiceImplementation {
  const unary = unaryHandler(log);
  const { registry } = context;
  return {
    ServerLive: unary(() => ({ live: true })),
    ServerReady: unary(() => ({ ready: context.reconciler.ready })),
    ServerMetadata: unary(() => ({ name: SERVER_NAME, version: SERVER_VERSION, extensions: ['model_repository'] })),
    ModelReady: unary((model: ModelRef) => ({ ready: modelReadiness(context, model.name, model.version || undefined).ready })),
    ModelMetadata: unary((model: ModelRef): ModelMetadataResponse => {
      const { inputs, outputs, ...described } = describeModel(context, model.name, model.version || undefined);
      return { ...described, inputs: inputs.map((t) => ({ ...t, shape: [...t.shape] })), outputs: outputs.map((t) => ({ ...t, shape: [...t.shape] })) };
    }),
    ModelInfer: unary((request: ModelInferRequest, metadata, call) => modelInfer(context, request, metadata, () => call.cancelled)),
    // Behind the inference token when one is set, as REST's index (it names every model the replica serves).
    RepositoryIndex: unary(({ ready }: { ready: boolean }, metadata): RepositoryIndexResponse => {
      authorizeInference(headersOf(metadata).authorization, context.inferenceToken);
      return { models: repositoryIndex(registry, context.reconciler.status(), ready) };
    }),
  };
}

/** ModelInfer: the request's inputs read (typed or raw), run by the inference core, answered the way they came. */
function modelInfer(context: GatewayContext, message: ModelInferRequest, metadata: Metadata, cancelled: () => boolean): Promise<ModelInferResponse> {
  return runInference(context, {
    endpoint: message.model_name,
    version: message.model_version || undefined,
    headers: headersOf(metadata),
    clientGone: cancelled,
    decode(loaded) {
      const { request, binary, raw } = readGrpcInferRequest(message);
      return { raw, feeds: decodeInputs(request, loaded.inputsByName, binary), outputNames: requestedOutputs(request, loaded.outputs) };
    },
    answer: (outputs, version, { raw }) => grpcInferResponse(outputs, { model_name: message.model_name, model_version: version, id: message.id }, raw),
  });
}

/** gRPC metadata as request headers (names are lower-case in both); binary (`-bin`) entries are left out. */
function headersOf(metadata: Metadata): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata.getMap())) if (typeof value === 'string') headers[name] = value;
  return headers;
}

/** A unary handler from a function of the request (and its metadata and call): its result answers, what it throws is the status. */
function unaryHandler(log: (message: string) => void) {
  return <Req, Res>(handle: (request: Req, metadata: Metadata, call: ServerUnaryCall<Req, Res>) => Res | Promise<Res>) =>
    (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
      new Promise<Res>((resolve) => resolve(handle(call.request, call.metadata, call))).then(
        (response) => callback(null, response),
        (error: unknown) => {
          const serviceError = toServiceError(error);
          if (serviceError.code === status.INTERNAL) log(`internal error on gRPC ${call.getPath()}: ${String(error)}`);
          callback(serviceError);
        },
      );
    };
}
