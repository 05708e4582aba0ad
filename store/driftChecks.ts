/**
 * Reading an endpoint's drift check results (`endpoints/<name>/drift/checks/<ISO time>.json`, which
 * the `checkDrift` activity writes): the latest, or the most recent few for `modelship drift` and
 * the report's drift chart.
 */
import { driftCheckResult, type DriftCheckResult } from '../sdk/schemas';
import type { ArtifactStore } from './artifactStore';
import { storeKeys } from './keys';
import { readDocument } from './models';

/** The endpoint's most recent drift check, if any. */
export async function latestDriftCheck(store: ArtifactStore, endpoint: string): Promise<DriftCheckResult | undefined> {
  const [key] = await recentDriftCheckKeys(store, endpoint, 1);
  return key === undefined ? undefined : readDocument(store, key, driftCheckResult);
}

/** The keys of the endpoint's `count` most recent checks, newest first. */
async function recentDriftCheckKeys(store: ArtifactStore, endpoint: string, count: number): Promise<string[]> {
  const keys = await store.list(storeKeys.driftChecksPrefix(endpoint));
  return keys.sort().reverse().slice(0, count);
}

/** The endpoint's `count` most recent checks, oldest first. */
export async function recentDriftChecks(store: ArtifactStore, endpoint: string, count: number): Promise<DriftCheckResult[]> {
  const documents = await Promise.all((await recentDriftCheckKeys(store, endpoint, count)).map((key) => readDocument(store, key, driftCheckResult)));
  return documents.filter((d): d is DriftCheckResult => d !== undefined).reverse();
}
