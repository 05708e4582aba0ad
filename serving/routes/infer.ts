/**
 * The inference route, `POST /v2/models/<name>[/versions/<v>]/infer`: picks the version (weights,
 * sticky and header routing), reads the request (JSON or the binary tensor data extension), checks
 * it against the model, runs it, refuses an answer with NaN or Inf (a 500, the version's error),
 * answers in the form asked for, records stats and metrics, and mirrors a share of the traffic to
 * the shadow version.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TensorMap } from '../../runtime';
import { tensorToBytes } from '../../runtime/tensorBytes';
import { binaryInputs, binaryOutputNames, encodeBinaryResponse, HEADER_LENGTH, splitBinaryBody } from '../../protocol/binaryTensorData';
import { HttpError } from '../../protocol/httpError';
import { decodeInputs, encodeOutputs, parseInferRequest, requestedOutputs } from '../../protocol/kserveProtocol';
import type { InferRequest, InferResponseOutput } from '../../protocol/messages';
import { authorize } from '../bearerAuth';
import type { RouteCall } from '../dispatch';
import type { GatewayContext } from '../gatewayContext';
import { discardBody, parseJson, readBody, sendJson } from '../httpBody';
import type { LoadedVersion } from '../modelRegistry';
import { NonFiniteOutputError, refuseNonFinite } from '../nonFiniteOutputs';
import { predictionOf } from '../outputComparison';
import { mirrorToShadow } from '../shadowMirror';
import { modelOf } from './models';

export async function infer(context: GatewayContext, call: RouteCall): Promise<void> {
  const { req, res } = call;
  if (context.inferenceToken) authorize(req, context.inferenceToken, 'MODELSHIP_INFERENCE_TOKEN');
  const { endpoint, version } = modelOf(call);
  const { registry, stats, metrics } = context;
  const started = performance.now();
  const route = registry.route(endpoint);
  const loaded = route ? registry.pick(endpoint, { version, headers: req.headers }) : undefined;
  if (!loaded) {
    await discardBody(req);
    throw new HttpError(404, route ? `model "${endpoint}" has no version "${version}"` : `unknown model "${endpoint}"`);
  }
  const labels = { endpoint, version: loaded.version };
  let status = 500;
  try {
    const { request, binary } = await readInferRequest(req, context.maxBodyBytes);
    const feeds = decodeInputs(request, loaded.inputsByName, binary);
    const outputNames = requestedOutputs(request, loaded.outputs);
    const outputs = await runModel(endpoint, loaded, feeds, outputNames);
    refuseNonFinite(endpoint, loaded.version, outputs);
    sendInferResponse(res, request, endpoint, loaded.version, outputs);
    status = 200;
    const latencyMs = performance.now() - started;
    stats.record(endpoint, loaded.version, { t: Date.now(), latencyMs, ok: true, prediction: predictionOf(outputs) });
    metrics.latency.observe(labels, latencyMs / 1000);
    context.capture.offer(endpoint, loaded.version, feeds, outputs);
    if (route?.shadow && version === undefined && Math.random() * 100 < route.shadow.percent) {
      mirrorToShadow(context, endpoint, route.shadow.loaded, { feeds, outputNames, served: outputs });
    }
  } catch (error) {
    status = error instanceof HttpError ? error.status : 500;
    const nonFinite = error instanceof NonFiniteOutputError;
    if (nonFinite) for (const output of error.outputs) metrics.nonFiniteOutputs.inc({ ...labels, output: output.name });
    // Model failures, non-finite answers and overload (429: its queue is full) are the version's errors; client mistakes are not.
    if (status >= 500 || status === 429)
      stats.record(endpoint, loaded.version, { t: Date.now(), latencyMs: performance.now() - started, ok: false, nonFinite });
    throw error;
  } finally {
    metrics.requests.inc({ ...labels, code: String(status) });
  }
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

/** Runs the model; a failure of the model itself is a 500 that names the version. */
async function runModel(endpoint: string, loaded: LoadedVersion, feeds: TensorMap, outputNames: string[] | undefined): Promise<TensorMap> {
  try {
    return await loaded.run(feeds, outputNames);
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(500, `model ${endpoint}/${loaded.version} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
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
