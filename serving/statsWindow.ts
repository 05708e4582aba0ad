/**
 * Raw per-request samples per endpoint and version, kept for a while, so the analysis stage can
 * compare canary and stable over exactly the same window (`since`).
 */

export interface RequestSample {
  /** Epoch ms when the request finished. */
  t: number;
  /** End to end: from the request's arrival to its answer (queueing, thread hops and encoding included). */
  latencyMs: number;
  /** The model's own run time (onnxruntime's `run`; a batch's run time for each request in it); absent when not measured. */
  computeMs?: number;
  /** False when the model failed the request (5xx); client mistakes (4xx) are not counted. */
  ok: boolean;
  /** The model answered, but with NaN or Inf in an output: refused, and an error (`ok` false). */
  nonFinite?: boolean;
  /** One prediction per request (top-1 class or first value), for distribution checks. */
  prediction?: number;
}

export interface ShadowSample {
  t: number;
  rows: number;
  agreedRows: number;
  /** Rows with NaN or Inf on either side (each one a disagreement). */
  nonFiniteRows?: number;
  maxAbsDiff: number;
  /** The shadow version failed the request. */
  failed: boolean;
  latencyMs: number;
  /** The shadow model's own run time; absent when not measured. */
  computeMs?: number;
  prediction?: number;
}

export interface VersionStats {
  requests: number;
  errors: number;
  /** Errors that were answers with NaN or Inf in an output (counted in `errors` too). */
  nonFinite: number;
  latenciesMs: number[];
  /** The model's own run times of the answered requests that measured one (see {@link RequestSample.computeMs}). */
  computeMs: number[];
  predictions: number[];
}

export interface ShadowStats {
  compared: number;
  failed: number;
  rows: number;
  agreedRows: number;
  /** Compared rows with NaN or Inf on either side (counted as disagreements). */
  nonFiniteRows: number;
  maxAbsDiff: number;
  latenciesMs: number[];
  /** The shadow model's own run times of the compared requests that measured one. */
  computeMs: number[];
  predictions: number[];
}

export interface EndpointStats {
  since: number;
  until: number;
  versions: Record<string, VersionStats>;
  shadow: Record<string, ShadowStats>;
}

export class StatsWindow {
  private readonly requests = new Map<string, RequestSample[]>();
  private readonly shadows = new Map<string, ShadowSample[]>();

  constructor(
    private readonly retentionMs = 15 * 60_000,
    private readonly maxSamples = 100_000,
  ) {}

  record(endpoint: string, version: string, sample: RequestSample): void {
    this.push(this.requests, `${endpoint}\u0000${version}`, sample);
  }

  recordShadow(endpoint: string, version: string, sample: ShadowSample): void {
    this.push(this.shadows, `${endpoint}\u0000${version}`, sample);
  }

  /** Everything recorded for `endpoint` from `since` to `until` (epoch ms; default now). */
  snapshot(endpoint: string, since = 0, until = Date.now()): EndpointStats {
    return {
      since,
      until,
      versions: summarize(this.requests, endpoint, since, until, summarizeRequests),
      shadow: summarize(this.shadows, endpoint, since, until, summarizeShadows),
    };
  }

  /**
   * Appends a sample; trims old ones in chunks (past `maxSamples` by a tenth, or once the oldest is
   * twice the retention old), so a full window costs O(1) per request on average. (Trimming one
   * sample per request moved the whole array each time: past 100,000 samples, at 10,000 requests a
   * second, the gateway's throughput halved.)
   */
  private push<T extends { t: number }>(map: Map<string, T[]>, key: string, sample: T): void {
    let samples = map.get(key);
    if (!samples) map.set(key, (samples = []));
    samples.push(sample);
    const overfull = samples.length > this.maxSamples + Math.max(1, Math.floor(this.maxSamples / 10));
    if (overfull || (samples[0] as T).t < sample.t - this.retentionMs * 2) {
      const cutoff = sample.t - this.retentionMs;
      const keepFrom = Math.max(
        samples.length - this.maxSamples,
        samples.findIndex((s) => s.t >= cutoff),
      );
      samples.splice(0, keepFrom < 0 ? samples.length : keepFrom);
    }
  }
}

function versionOf(key: string, endpoint: string): string | undefined {
  const [e, v] = key.split('\u0000');
  return e === endpoint ? v : undefined;
}

/** Per version of `endpoint`: its samples from `since` to `until`, summarized. */
function summarize<T extends { t: number }, S>(
  samples: Map<string, T[]>,
  endpoint: string,
  since: number,
  until: number,
  summary: (window: T[]) => S,
): Record<string, S> {
  const out: Record<string, S> = {};
  for (const [key, all] of samples) {
    const version = versionOf(key, endpoint);
    if (version !== undefined) out[version] = summary(all.filter((s) => s.t >= since && s.t <= until));
  }
  return out;
}

function summarizeRequests(window: RequestSample[]): VersionStats {
  const answered = window.filter((s) => s.ok);
  return {
    requests: window.length,
    errors: window.filter((s) => !s.ok).length,
    nonFinite: window.filter((s) => s.nonFinite === true).length,
    latenciesMs: answered.map((s) => s.latencyMs),
    computeMs: computeOf(answered),
    predictions: predictionsOf(window),
  };
}

function summarizeShadows(window: ShadowSample[]): ShadowStats {
  return {
    compared: window.length,
    failed: window.filter((s) => s.failed).length,
    rows: window.reduce((n, s) => n + s.rows, 0),
    agreedRows: window.reduce((n, s) => n + s.agreedRows, 0),
    nonFiniteRows: window.reduce((n, s) => n + (s.nonFiniteRows ?? 0), 0),
    maxAbsDiff: window.reduce((m, s) => Math.max(m, s.maxAbsDiff), 0),
    latenciesMs: window.filter((s) => !s.failed).map((s) => s.latencyMs),
    computeMs: computeOf(window.filter((s) => !s.failed)),
    predictions: predictionsOf(window),
  };
}

function predictionsOf(window: { prediction?: number }[]): number[] {
  return window.flatMap((s) => (s.prediction === undefined ? [] : [s.prediction]));
}

function computeOf(window: { computeMs?: number }[]): number[] {
  return window.flatMap((s) => (s.computeMs === undefined ? [] : [s.computeMs]));
}
