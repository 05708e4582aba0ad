/**
 * One inference, whatever the protocol (REST or gRPC): checks the inference token, picks the
 * version (the one named, else header match, sticky header or weights), has the protocol decode
 * the request against that version's inputs, runs it, refuses an answer with NaN or Inf (a 500, the
 * version's error), has the protocol encode the answer, then records stats and metrics, offers the
 * request to data capture and mirrors a share of the traffic to the shadow version. Errors are
 * {@link HttpError}s; each protocol turns them into its own answer.
 *
 * What counts against a version (its errors in the stats window canary analysis judges): model
 * faults, NaN or Inf answers, overload, and faults injected by the fault switch (`faultInjection.ts`). Not: the caller's mistakes (4xx, a model error the
 * request caused included: `requestCausedErrors.ts`), nor a client that went away before its
 * answer (a 499, counted in `modelship_client_aborts_total`). A model the store routes but this
 * replica has not loaded is a 503 saying why (`modelInfo.ts`).
 *
 * @example
 * const response = await runInference(context, {
 *   endpoint: 'iris', version: undefined, headers: req.headers,
 *   decode: (loaded) => ({ feeds: decodeInputs(request, loaded.inputsByName), outputNames: undefined }),
 *   answer: (outputs, version) => ({ model_version: version, outputs: encodeOutputs(outputs) }),
 * });
 */
import { InstanceCrashedError, type TensorMap, type TimedOutputs } from '../runtime';
import { HttpError } from '../protocol/httpError';
import { authorizeInference } from './bearerAuth';
import type { GatewayContext } from './gatewayContext';
import { CLIENT_CLOSED } from './httpBody';
import { missingModelError } from './modelInfo';
import { headerValue, type LoadedVersion } from './modelRegistry';
import { NonFiniteOutputError, refuseNonFinite } from './nonFiniteOutputs';
import { predictionOf } from './outputComparison';
import { causedByRequest } from './requestCausedErrors';
import { mirrorToShadow } from './shadowMirror';

/** Request headers (REST) or metadata (gRPC), by lower-cased name. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** A request decoded for the version that serves it. */
export interface DecodedRequest {
  /** The inputs, checked against the version's (names, datatypes, shapes, element counts). */
  readonly feeds: TensorMap;
  /** The outputs asked for, checked against the version's; undefined for all. */
  readonly outputNames: string[] | undefined;
}

/** What a protocol hands the core: where the request goes, and how to read and answer it. */
export interface InferenceRequest<D extends DecodedRequest, A> {
  readonly endpoint: string;
  /** The version named by the caller (REST path, gRPC `model_version`); undefined lets routing pick. */
  readonly version: string | undefined;
  /** For the inference token and sticky or header-matched routing. */
  readonly headers: RequestHeaders;
  /** Reads and decodes the request for the version picked; a 400 when it does not fit. */
  decode(loaded: LoadedVersion): D | Promise<D>;
  /** Encodes (REST: and sends) the answer of `version` to `decoded`; its time counts in the request's latency. */
  answer(outputs: TensorMap, version: string, decoded: D): A;
  /** True once the client has gone away (REST: its connection closed; gRPC: the call cancelled): the request is then a 499. */
  clientGone?(): boolean;
}

/** Runs one inference request through routing, the model and the bookkeeping; resolves to what `answer` returned. */
export async function runInference<D extends DecodedRequest, A>(context: GatewayContext, request: InferenceRequest<D, A>): Promise<A> {
  const { endpoint, version, headers } = request;
  authorizeInference(headerValue(headers.authorization), context.inferenceToken);
  const { registry, stats, metrics } = context;
  const started = performance.now();
  const route = registry.route(endpoint);
  const loaded = route ? registry.pick(endpoint, { version, headers }) : undefined;
  if (!loaded) {
    if (route) throw new HttpError(404, `model "${endpoint}" has no version "${version}"`);
    throw missingModelError(context, endpoint);
  }
  const labels = { endpoint, version: loaded.version };
  let status = 500;
  try {
    const decoded = await request.decode(loaded);
    const { feeds, outputNames } = decoded;
    // The fault switch fails the request where the model would, and slows it as a slower model would.
    context.faults?.failIfInjected(endpoint, loaded.version);
    const { outputs, runMs } = await runModel(endpoint, loaded, feeds, outputNames);
    const computeMs = runMs + ((await context.faults?.delay(endpoint, loaded.version)) ?? 0);
    refuseNonFinite(endpoint, loaded.version, outputs);
    if (request.clientGone?.()) throw new HttpError(CLIENT_CLOSED, 'the client went away before its answer');
    const answer = request.answer(outputs, loaded.version, decoded);
    status = 200;
    const latencyMs = performance.now() - started;
    stats.record(endpoint, loaded.version, { t: Date.now(), latencyMs, computeMs, ok: true, prediction: predictionOf(outputs) });
    metrics.observe(metrics.latency, labels, latencyMs / 1000);
    context.capture.offer(endpoint, loaded.version, feeds, outputs);
    if (route?.shadow && version === undefined && Math.random() * 100 < route.shadow.percent) {
      mirrorToShadow(context, endpoint, route.shadow.loaded, { feeds, outputNames, served: outputs });
    }
    return answer;
  } catch (error) {
    // A client gone mid-body or before its answer is a 499 already; a model fault stays the version's even if its client left.
    status = error instanceof HttpError ? error.status : 500;
    if (status === CLIENT_CLOSED) metrics.inc(metrics.clientAborts, labels);
    const nonFinite = error instanceof NonFiniteOutputError;
    if (nonFinite) for (const output of error.outputs) metrics.inc(metrics.nonFiniteOutputs, { ...labels, output: output.name });
    // Model failures, non-finite answers and overload (429: its queue is full) are the version's errors; client mistakes and aborts are not.
    if (status >= 500 || status === 429)
      stats.record(endpoint, loaded.version, { t: Date.now(), latencyMs: performance.now() - started, ok: false, nonFinite });
    throw error;
  } finally {
    metrics.inc(metrics.requests, { ...labels, code: String(status) });
  }
}

/**
 * Runs the model, timed (its own run time, the stats' compute sample); a failure the request caused
 * is a 400, a failure of the model itself a 500 that names the version.
 */
async function runModel(endpoint: string, loaded: LoadedVersion, feeds: TensorMap, outputNames: string[] | undefined): Promise<TimedOutputs> {
  try {
    return await loaded.runTimed(feeds, outputNames);
  } catch (error) {
    if (error instanceof HttpError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (!(error instanceof InstanceCrashedError) && causedByRequest(message, loaded.hasAnswered)) {
      throw new HttpError(400, `model ${endpoint}/${loaded.version} refused the request's inputs: ${message}`);
    }
    throw new HttpError(500, `model ${endpoint}/${loaded.version} failed: ${message}`);
  }
}
