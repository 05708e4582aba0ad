/** Store keys: where each kind of document lives, and the rules every key obeys. */
import { endpointName, sha256Digest, versionName } from '../sdk/schemas';
import { ModelshipError } from '../sdk/errors';

/** Thrown for a key that could escape the store or be misread: `..`, absolute, control characters. */
export class InvalidKeyError extends ModelshipError {
  override readonly name = 'InvalidKeyError';
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid store key ${JSON.stringify(key)}: ${reason}`);
  }
}

/**
 * Checks a store key: relative, `/`-separated, no empty, `.` or `..` segments, no segment starting
 * with `.` (reserved for in-flight temporary files), no backslashes or control characters.
 */
export function assertValidKey(key: string): void {
  if (key.length === 0 || key.length > 1024) throw new InvalidKeyError(key, 'must be 1-1024 characters');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) throw new InvalidKeyError(key, 'contains control characters');
  if (key.includes('\\')) throw new InvalidKeyError(key, 'contains a backslash');
  if (key.startsWith('/')) throw new InvalidKeyError(key, 'must be relative');
  for (const segment of key.split('/')) {
    if (segment === '') throw new InvalidKeyError(key, 'has an empty segment');
    if (segment === '..' || segment === '.') throw new InvalidKeyError(key, `has a "${segment}" segment`);
    if (segment.startsWith('.')) throw new InvalidKeyError(key, 'has a segment starting with "."');
  }
}

/** A key prefix for `list`: a valid key followed by `/`, or empty for everything. */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  if (!prefix.endsWith('/')) throw new InvalidKeyError(prefix, 'a prefix must end with "/"');
  assertValidKey(prefix.slice(0, -1));
}

/** `sources/<sha256>…`, `models/<sha256>…`, `tensors/<sha256>…`: the content-addressed keys. */
const CONTENT_KEY = /^(sources|models|tensors)\/([0-9a-f]{64})(?:[./]|$)/;

/** `endpoints/<name>/routing.json`, the shape `storeKeys.routing` builds. */
const ROUTING_KEY = /^endpoints\/([^/]+)\/routing\.json$/;

/** `routing-changes/<16-digit ms time>-<endpoint>-<generation>`, the shape `storeKeys.routingChange` builds. */
const ROUTING_CHANGE_KEY = /^routing-changes\/(\d{16})-([a-z0-9-]+)-(\d+)$/;

/** `capture/<endpoint>/<version>/<16-digit ms time>-<replica>-<seq>.json`, the shape `storeKeys.capture` builds. */
const CAPTURE_KEY = /^capture\/([^/]+)\/([^/]+)\/(\d{16})-[^/]+\.json$/;

/**
 * Every store key, built here and nowhere else. Model keys check their digest and routing keys their
 * endpoint name; the other parts come from values already checked (a digest the store computed, a
 * parsed spec's endpoint and version), and every key is checked again by the store on use.
 */
export const storeKeys = {
  model: (digest: string): string => `models/${sha256Digest.parse(digest)}.onnx`,
  modelMetadata: (digest: string): string => `models/${sha256Digest.parse(digest)}.json`,
  /** The latest validation report of a model. */
  modelValidation: (digest: string): string => `models/${sha256Digest.parse(digest)}.validation.json`,
  /** An ingested model source, content-addressed, with the extension it came with (`.pt2`, `.onnx`, or none). */
  source: (digest: string, extension: string): string => `sources/${digest}${extension}`,
  /** Where a corrupt object is moved, never to be read again. */
  quarantine: (key: string): string => `quarantine/${key}`,
  /** The metadata (lineage) of the model a content-addressed key belongs to, or the key itself for anything else. */
  lineageOf: (key: string): string => {
    const digest = CONTENT_KEY.exec(key)?.[2];
    return digest && key.startsWith('models/') ? `models/${digest}.json` : key;
  },
  /** The digest of a content-addressed key (`sources/`, `models/`, `tensors/`), or undefined for any other key. */
  digestOf: (key: string): string | undefined => CONTENT_KEY.exec(key)?.[2],
  /** The prefixes of content-addressed artifacts, which garbage collection sweeps. */
  contentPrefixes: ['sources/', 'models/', 'tensors/'] as const,
  /** A tensor bundle (golden inputs, reference outputs, evaluation set), content-addressed. */
  tensorBundle: (digest: string): string => `tensors/${digest}.json`,
  /** A deployment's report, as JSON (its status) or as a self-contained HTML page. */
  report: (endpoint: string, version: string, format: 'json' | 'html'): string => `reports/${endpoint}/${version}/report.${format}`,
  routing: (endpoint: string): string => `endpoints/${endpointName.parse(endpoint)}/routing.json`,
  /** The inverse of `routing`: the endpoint whose routing document `key` is, or undefined for any other key (one listed under `endpointsPrefix`). */
  endpointOfRouting: (key: string): string | undefined => ROUTING_KEY.exec(key)?.[1],
  /** The versions and aliases an endpoint keeps (what garbage collection keeps for it). */
  keptVersions: (endpoint: string): string => `endpoints/${endpointName.parse(endpoint)}/versions.json`,
  endpointsPrefix: 'endpoints/',
  /** The baseline an endpoint's drift checks compare with (see `sdk/schemas/driftCheck.ts`). */
  driftBaseline: (endpoint: string): string => `endpoints/${endpointName.parse(endpoint)}/drift/baseline.json`,
  /** One drift check's result, named by when it ran (ISO 8601, so keys list oldest first). */
  driftCheck: (endpoint: string, at: string): string => `${storeKeys.driftChecksPrefix(endpoint)}${at}.json`,
  driftChecksPrefix: (endpoint: string): string => `endpoints/${endpointName.parse(endpoint)}/drift/checks/`,
  /** Whether `key` is a drift baseline or check result (`endpoints/<name>/drift/…`). */
  isDriftDocument: (key: string): boolean => /^endpoints\/[^/]+\/drift\//.test(key),
  /**
   * One entry of the routing change log: written (empty) after each routing write, so a replica
   * learns what changed from one listing. The time (ms, zero-padded) leads, so entries list oldest first.
   */
  routingChange: (timeMs: number, endpoint: string, generation: number): string =>
    `${storeKeys.routingChangesPrefix}${String(Math.trunc(timeMs)).padStart(16, '0')}-${endpointName.parse(endpoint)}-${generation}`,
  routingChangesPrefix: 'routing-changes/',
  /** The inverse of `routingChange`, or undefined for any other key. */
  routingChangeOf: (key: string): { timeMs: number; endpoint: string; generation: number } | undefined => {
    const match = ROUTING_CHANGE_KEY.exec(key);
    return match ? { timeMs: Number(match[1]), endpoint: match[2] as string, generation: Number(match[3]) } : undefined;
  },
  replica: (replicaId: string): string => `gateway/replicas/${replicaId}.json`,
  replicasPrefix: 'gateway/replicas/',
  /**
   * A bundle of sampled requests one gateway replica served for an endpoint's version. The time
   * (milliseconds, zero-padded) leads the name, so keys of one version list oldest first.
   */
  capture: (endpoint: string, version: string, timeMs: number, replicaId: string, seq: number): string =>
    `${storeKeys.capturePrefix(endpoint, version)}${String(Math.trunc(timeMs)).padStart(16, '0')}-${replicaId.replace(/[^A-Za-z0-9._-]/g, '_')}-${seq}.json`,
  /** Where an endpoint's captured requests are, or one version's of them. */
  capturePrefix: (endpoint: string, version?: string): string =>
    `capture/${endpointName.parse(endpoint)}/${version === undefined ? '' : `${versionName.parse(version)}/`}`,
  /** The inverse of `capture`: the version and time of a capture key, or undefined for any other key. */
  captureOf: (key: string): { endpoint: string; version: string; timeMs: number } | undefined => {
    const match = CAPTURE_KEY.exec(key);
    return match ? { endpoint: match[1] as string, version: match[2] as string, timeMs: Number(match[3]) } : undefined;
  },
} as const;
