/**
 * Gathers one analysis window from every live gateway replica (`/admin/stats/<endpoint>?since=`)
 * and merges it per version, so canary and stable are compared over the same requests window.
 */
import { z } from 'zod';
import type { ShadowWindow, VersionWindow } from './analyzeWindow';
import { placedReplicas } from '../rollout/placedReplicas';
import { registeredReplicas } from '../rollout/replicas';
import type { ArtifactStore } from '../../store';

const versionStats = z.object({
  requests: z.number(),
  errors: z.number(),
  latenciesMs: z.array(z.number()),
  /** Absent from a gateway older than compute timing. */
  computeMs: z.array(z.number()).optional(),
  predictions: z.array(z.number()),
});
const shadowStats = z.object({ compared: z.number(), failed: z.number(), rows: z.number(), agreedRows: z.number() });
const statsResponse = z.object({
  replicaId: z.string(),
  until: z.number(),
  versions: z.record(z.string(), versionStats),
  shadow: z.record(z.string(), shadowStats),
});

export interface CollectedWindow {
  versions: Record<string, VersionWindow>;
  shadow: Record<string, ShadowWindow>;
  since: number;
  until: number;
  replicas: number;
  /** Replicas that did not answer (their samples are missing from the window). */
  unreachable: string[];
  /** Replicas registered but no longer heartbeating (killed during the bake): not asked, their samples are missing. */
  stale: string[];
}

export async function collectWindow(
  store: ArtifactStore,
  endpoint: string,
  since: number,
  adminToken: string | undefined,
  upTo?: number,
): Promise<CollectedWindow> {
  const registered = await registeredReplicas(store);
  // Only the replicas the endpoint is placed on hold its samples.
  const [replicas, stale] = await Promise.all([placedReplicas(store, endpoint, registered.live), placedReplicas(store, endpoint, registered.stale)]);
  const versions: Record<string, VersionWindow> = {};
  const shadow: Record<string, ShadowWindow> = {};
  const unreachable: string[] = [];
  let until = since;
  await Promise.all(
    replicas.map(async (replica) => {
      try {
        const response = await fetch(
          new URL(`/admin/stats/${encodeURIComponent(endpoint)}?since=${since}${upTo === undefined ? '' : `&until=${upTo}`}`, replica.url),
          {
            headers: adminToken ? { authorization: `Bearer ${adminToken}` } : {},
            signal: AbortSignal.timeout(5000),
          },
        );
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const stats = statsResponse.parse(await response.json());
        until = Math.max(until, stats.until);
        for (const [version, v] of Object.entries(stats.versions)) {
          const into = (versions[version] ??= { requests: 0, errors: 0, latenciesMs: [], predictions: [] });
          into.requests += v.requests;
          into.errors += v.errors;
          into.latenciesMs.push(...v.latenciesMs);
          if (v.computeMs) (into.computeMs ??= []).push(...v.computeMs);
          into.predictions.push(...v.predictions);
        }
        for (const [version, s] of Object.entries(stats.shadow)) {
          const into = (shadow[version] ??= { compared: 0, failed: 0, rows: 0, agreedRows: 0 });
          into.compared += s.compared;
          into.failed += s.failed;
          into.rows += s.rows;
          into.agreedRows += s.agreedRows;
        }
      } catch {
        unreachable.push(replica.replicaId);
      }
    }),
  );
  return { versions, shadow, since, until, replicas: replicas.length - unreachable.length, unreachable, stale: stale.map((r) => r.replicaId) };
}
