/**
 * After a rollback: ask every live replica the endpoint is placed on, by inference, which version answers; all must be `version`,
 * each from its target's pick (a GPU replica the version's gpu pick), as its heartbeat reports what it loaded.
 * Inputs are drawn from the model metadata each replica publishes (no profile there: default sizes,
 * never 1 for a dynamic axis other than the batch).
 */
import { z } from 'zod';
import { routingDocument, tensorSpec } from '../../sdk/schemas';
import { encodeOutputs } from '../../protocol/kserveProtocol';
import { profileFeeds } from '../../runtime';
import { placedReplicas } from './placedReplicas';
import { answers, liveReplicas } from './replicas';
import { readDocument, storeKeys, type ArtifactStore } from '../../store';
import { targetDigestMismatches } from './targetDigests';

const metadataResponse = z.object({ inputs: z.array(tensorSpec) });

export interface ServingCheck {
  /** Replicas that answered. */
  replicas: number;
  requests: number;
  versions: Record<string, number>;
  /** Live-looking replicas that could not be reached (left out; set only when some could not). */
  unreachable?: string[];
}

export async function verifyServing(
  store: ArtifactStore,
  endpoint: string,
  version: string,
  requestsPerReplica = 5,
  heartbeat?: () => void,
): Promise<ServingCheck> {
  const check = await probeServing(store, endpoint, { requestsPerReplica, leaveOutUnreachable: true }, heartbeat);
  const wrong = Object.keys(check.versions).filter((v) => v !== version);
  if (wrong.length > 0)
    throw new Error(`${endpoint} should answer from ${version} only, but answers from ${wrong.join(', ')} (${JSON.stringify(check.versions)})`);
  const routing = await readDocument(store, storeKeys.routing(endpoint), routingDocument);
  const mismatches = routing ? targetDigestMismatches(routing, version, await placedReplicas(store, endpoint, await liveReplicas(store))) : [];
  if (mismatches.length > 0) throw new Error(`${endpoint} answers from ${version}, but not from each target's pick: ${mismatches.join('; ')}`);
  return check;
}

export interface ProbeOptions {
  requestsPerReplica: number;
  /** Build inputs from this version's metadata (a version under preview may differ from the primary). */
  version?: string;
  /** Extra request headers, e.g. the header that routes to a version under preview. */
  headers?: Record<string, string>;
  /**
   * Leave out (and name in `unreachable`) a replica that cannot be reached at all: the check after a
   * return to stable, which must not fail for a replica killed since its last heartbeat. Never for a
   * smoke test, which gates a release on every replica answering.
   */
  leaveOutUnreachable?: boolean;
}

/**
 * Sends inference requests to every live replica the endpoint is placed on and counts who answered: the version in
 * `x-modelship-version`, or `HTTP <status>` for a failed request. With `leaveOutUnreachable`, a replica that cannot be
 * reached at all (killed since its last heartbeat, which keeps it looking live for a few liveness intervals) serves
 * nobody: one that failed before its first answer and does not answer its liveness route either is listed in
 * `unreachable` and left out (nothing it counted is kept), unless no replica answered (then the probe fails, and is
 * retried). Any other failure fails the probe.
 */
export async function probeServing(
  store: ArtifactStore,
  endpoint: string,
  options: ProbeOptions,
  heartbeat: () => void = () => undefined,
): Promise<ServingCheck> {
  const replicas = await placedReplicas(store, endpoint, await liveReplicas(store));
  const check: ServingCheck = { replicas: 0, requests: 0, versions: {} };
  const unreachable: string[] = [];
  for (const replica of replicas) {
    const probe: ReplicaProbe = { answered: false, requests: 0, versions: {} };
    try {
      await probeReplica(replica.url, endpoint, options, probe, heartbeat);
    } catch (error) {
      if (!options.leaveOutUnreachable || probe.answered || !unreachableError(error) || (await answers(replica.url))) throw error;
      unreachable.push(replica.replicaId);
      continue;
    }
    check.replicas++;
    check.requests += probe.requests;
    for (const [served, count] of Object.entries(probe.versions)) check.versions[served] = (check.versions[served] ?? 0) + count;
  }
  if (unreachable.length === 0) return check;
  if (check.replicas === 0) throw new Error(`no replica serving ${endpoint} could be reached (${unreachable.join(', ')})`);
  return { ...check, unreachable };
}

/** What one replica answered so far: whether it answered at all, and its answers per version. */
interface ReplicaProbe {
  answered: boolean;
  requests: number;
  versions: Record<string, number>;
}

/** `requestsPerReplica` inference requests to one replica, counted into `probe`. */
async function probeReplica(url: string, endpoint: string, options: ProbeOptions, probe: ReplicaProbe, heartbeat: () => void): Promise<void> {
  // Gateways that require a token for inference get the one this worker is configured with.
  const token = process.env.MODELSHIP_INFERENCE_TOKEN;
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const base = new URL(`/v2/models/${encodeURIComponent(endpoint)}`, url).href;
  const metadataUrl = options.version ? `${base}/versions/${encodeURIComponent(options.version)}` : base;
  const described = await fetch(metadataUrl, { headers: auth, signal: AbortSignal.timeout(5000) });
  probe.answered = true;
  const metadata = metadataResponse.parse(await described.json());
  for (let i = 0; i < options.requestsPerReplica; i++) {
    // Varied inputs, so a smoke test exercises more than one path through the model.
    const body = JSON.stringify({ inputs: encodeOutputs(profileFeeds(metadata.inputs, undefined, { seed: i + 1 })) });
    const response = await fetch(`${base}/infer`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...auth, ...options.headers },
      signal: AbortSignal.timeout(5000),
    });
    await response.arrayBuffer();
    heartbeat(); // a long smoke test stays alive
    const served = response.ok ? (response.headers.get('x-modelship-version') ?? 'unknown') : `HTTP ${response.status}`;
    probe.versions[served] = (probe.versions[served] ?? 0) + 1;
    probe.requests++;
  }
}

/** A connection that could not be made, or a replica that did not answer in time (fetch's own errors, not an HTTP status). */
function unreachableError(error: unknown): boolean {
  // By name: fetch's errors may come from another realm (instanceof would miss them).
  const name = (error as { name?: unknown } | undefined)?.name;
  const message = (error as { message?: unknown } | undefined)?.message;
  return (name === 'TypeError' && message === 'fetch failed') || name === 'TimeoutError' || name === 'AbortError';
}
