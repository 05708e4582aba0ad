/**
 * The inference route, `POST /v2/models/<name>[/versions/<v>]/infer`: reads the request (JSON or
 * the binary tensor data extension) and answers in the form asked for, over the protocol-independent
 * inference core (`serving/inference.ts`: routing, model run, stats, metrics, capture, shadow).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TensorMap } from '../../runtime';
import { tensorToBytes } from '../../runtime/tensorBytes';
import { binaryInputs, binaryOutputNames, encodeBinaryResponse, HEADER_LENGTH, splitBinaryBody } from '../../protocol/binaryTensorData';
import { decodeInputs, encodeOutputs, parseInferRequest, requestedOutputs } from '../../protocol/kserveProtocol';
import type { InferRequest, InferResponseOutput } from '../../protocol/messages';
import type { RouteCall } from '../dispatch';
import type { GatewayContext } from '../gatewayContext';
import { parseJson, readBody, sendJson } from '../httpBody';
import { runInference } from '../inference';
import { modelOf } from './models';

export async function infer(context: GatewayContext, call: RouteCall): Promise<void> {
  const { req, res } = call;
  const { endpoint, version } = modelOf(call);
  const { socket } = req;
  await runInference(context, {
    endpoint,
    version,
    headers: req.headers,
    clientGone: () => socket.destroyed,
    async decode(loaded) {
      const { request, binary } = await readInferRequest(req, context.maxBodyBytes);
      return { request, feeds: decodeInputs(request, loaded.inputsByName, binary), outputNames: requestedOutputs(request, loaded.outputs) };
    },
    answer: (outputs, served, { request }) => sendInferResponse(res, request, endpoint, served, outputs),
  });
}

/** The request, from a JSON body or a JSON header plus binary tensors (`Inference-Header-Content-Length`). */
async function readInferRequest(req: IncomingMessage, limit: number): Promise<{ request: InferRequest; binary?: Map<string, Uint8Array> }> {
  const body = await readBody(req, limit);
  const headerLength = req.headers[HEADER_LENGTH];
  if (headerLength === undefined) return { request: parseInferRequest(parseJson(body)) };
  const { json, blobs } = splitBinaryBody(body, Number(headerLength));
  const request = parseInferRequest(parseJson(json));
  return { request, binary: binaryInputs(request, blobs) };
}

/** Writes the response as JSON, or as JSON header plus binary tensors when the request asked for that. */
function sendInferResponse(res: ServerResponse, request: InferRequest, endpoint: string, version: string, outputs: TensorMap): void {
  const binary = binaryOutputNames(request, outputs);
  const common = { model_name: endpoint, model_version: version, ...(request.id !== undefined ? { id: request.id } : {}) };
  const headers = { 'x-modelship-version': version };
  if (binary.size === 0) return sendJson(res, 200, { ...common, outputs: encodeOutputs(outputs) }, headers);
  const blobs: Buffer[] = [];
  const described: InferResponseOutput[] = encodeOutputs(Object.fromEntries(Object.entries(outputs).filter(([name]) => !binary.has(name))));
  const binaryDescribed: InferResponseOutput[] = [];
  for (const [name, t] of Object.entries(outputs)) {
    if (!binary.has(name)) continue;
    const blob = tensorToBytes(t);
    blobs.push(blob);
    binaryDescribed.push({ name, datatype: t.datatype, shape: [...t.shape], parameters: { binary_data_size: blob.length } });
  }
  const { body, headerLength } = encodeBinaryResponse({ ...common, outputs: [...binaryDescribed, ...described] }, blobs);
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': body.length,
    'inference-header-content-length': headerLength,
    ...headers,
  });
  res.end(body);
}
