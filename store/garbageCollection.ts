/**
 * Garbage collection of content-addressed artifacts (`sources/`, `models/`, `tensors/`) that nothing
 * references: what a rejected or failed deployment ingested and built.
 *
 * Mark: every digest named by a routing document (`endpoints/`), a gateway replica's report
 * (`gateway/replicas/`) or the report of a promoted deployment (`reports/…/report.json` that records
 * no failure: the versions an operator can return to), then, transitively, by the lineage of each
 * marked model (`models/<sha>.json`: parent, source, golden and reference bundles). Any 64-digit hex
 * string in those documents counts, so a field added later is kept without a change here.
 *
 * Sweep: an unmarked artifact is deleted only when it was last written or touched (writers touch an
 * artifact they reuse, see `putContentAddressed`) longer ago than the grace period, in the listing
 * taken before marking and again in one taken just before deleting: a deployment in progress (whose
 * artifacts nothing references yet) touches what it uses, so what it uses is never old.
 * `quarantine/`, `capture/`, `reports/`, drift baselines and results (`endpoints/<name>/drift/`) and
 * other documents are never swept.
 *
 * Also deletes routing change log entries (`routing-changes/`) older than an hour: replicas read
 * the log a few seconds behind, and one that fell further behind makes a full pass instead.
 */
import type { ArtifactStore, StoredObject } from './artifactStore';
import { storeKeys } from './keys';
import { collectRoutingChanges } from './routingChangeLog';

/** Default grace period: a day, longer than any deployment takes to reference what it built. */
export const DEFAULT_GC_GRACE_MS = 24 * 60 * 60 * 1000;

export interface GarbageCollectionOptions {
  /** Artifacts written or touched less than this long ago are kept, referenced or not. */
  graceMs?: number;
  /** Report what would be deleted, delete nothing. */
  dryRun?: boolean;
  /** The clock (ms since the epoch); tests pass their own. */
  now?: () => number;
}

export interface GarbageCollectionReport {
  /** Content-addressed objects something references. */
  referenced: number;
  /** Unreferenced objects kept because they are younger than the grace period. */
  recent: number;
  /** Objects deleted (or, with `dryRun`, that would be). */
  deleted: StoredObject[];
  freedBytes: number;
  /** Routing change log entries deleted (or, with `dryRun`, that would be). */
  routingChangesDeleted: number;
  dryRun: boolean;
}

const DIGEST = /[0-9a-f]{64}/g;

/** Routing change log entries older than this are deleted. */
export const ROUTING_CHANGE_RETENTION_MS = 60 * 60 * 1000;

export async function collectGarbage(store: ArtifactStore, options: GarbageCollectionOptions = {}): Promise<GarbageCollectionReport> {
  const graceMs = options.graceMs ?? DEFAULT_GC_GRACE_MS;
  const now = options.now ?? Date.now;
  const isOld = (object: StoredObject): boolean => now() - object.modifiedMs >= graceMs;
  const listed = await listArtifacts(store);
  const marked = await referencedDigests(store);
  const candidates = listed.filter((object) => !marked.has(storeKeys.digestOf(object.key) ?? '') && isOld(object));
  const report: GarbageCollectionReport = {
    referenced: listed.filter((object) => marked.has(storeKeys.digestOf(object.key) ?? '')).length,
    recent: listed.length - candidates.length,
    deleted: [],
    freedBytes: 0,
    routingChangesDeleted: await collectRoutingChanges(store, ROUTING_CHANGE_RETENTION_MS, { now: now(), dryRun: options.dryRun }),
    dryRun: options.dryRun === true,
  };
  report.recent -= report.referenced;
  // Listed again: whatever a deployment touched since the first listing is no longer old.
  const current = new Map((await listArtifacts(store)).map((object) => [object.key, object]));
  for (const candidate of candidates) {
    const object = current.get(candidate.key);
    if (!object || !isOld(object)) continue;
    if (!report.dryRun) await store.delete(object.key);
    report.deleted.push(object);
    report.freedBytes += object.sizeBytes;
  }
  return report;
}

/** Every digest that routing, replicas, promoted deployments and the lineage of their models name. */
export async function referencedDigests(store: ArtifactStore): Promise<Set<string>> {
  const marked = new Set<string>();
  const pending: string[] = [];
  const mark = (text: string): void => {
    for (const digest of text.match(DIGEST) ?? []) {
      if (!marked.has(digest)) {
        marked.add(digest);
        pending.push(digest);
      }
    }
  };
  for (const key of [...(await store.list(storeKeys.endpointsPrefix)), ...(await store.list(storeKeys.replicasPrefix))]) {
    // Drift baselines and check results name no artifact, and there is one per check: not read.
    if (storeKeys.isDriftDocument(key)) continue;
    mark(await readText(store, key));
  }
  for (const key of await store.list('reports/')) {
    if (!key.endsWith('/report.json')) continue;
    const text = await readText(store, key);
    if (isPromotedReport(text)) mark(text);
  }
  for (let digest = pending.pop(); digest !== undefined; digest = pending.pop()) {
    mark(await readText(store, storeKeys.modelMetadata(digest)));
  }
  return marked;
}

async function listArtifacts(store: ArtifactStore): Promise<StoredObject[]> {
  const listings = await Promise.all(storeKeys.contentPrefixes.map((prefix) => store.listObjects(prefix)));
  return listings.flat().filter((object) => storeKeys.digestOf(object.key) !== undefined);
}

async function readText(store: ArtifactStore, key: string): Promise<string> {
  const bytes = await store.get(key);
  return bytes ? Buffer.from(bytes).toString('utf8') : '';
}

/**
 * A deployment report of a promoted version: one that records no failure (the report is written
 * before the final phase is set, so its phase does not tell). An unreadable one counts: keep, never guess.
 */
function isPromotedReport(text: string): boolean {
  try {
    return (JSON.parse(text) as { failure?: unknown }).failure === undefined;
  } catch {
    return true;
  }
}
