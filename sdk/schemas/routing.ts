/**
 * Desired state of the data plane, as stored in the artifact store, and what each gateway replica
 * reports back. Pure zod.
 */
import { z } from 'zod';
import { endpointName, sha256Digest, versionName } from './common';

/** One version an endpoint serves, with the share of traffic it takes (weights sum to 100). */
export const routedVersion = z.object({
  version: versionName,
  digest: sha256Digest,
  weight: z.number().int().min(0).max(100),
});
export type RoutedVersion = z.infer<typeof routedVersion>;

/**
 * `endpoints/<name>/routing.json`: the endpoint's desired routing. Every change bumps `generation`;
 * a replica that reports `generation` N serves exactly this document's versions and weights.
 */
export const routingDocument = z
  .object({
    endpoint: endpointName,
    generation: z.number().int().positive(),
    versions: z.array(routedVersion).min(1),
    updatedBy: z.string().optional(),
  })
  .superRefine((doc, ctx) => {
    const total = doc.versions.reduce((sum, v) => sum + v.weight, 0);
    if (total !== 100) {
      ctx.addIssue({ code: 'custom', path: ['versions'], message: `weights must sum to 100, got ${total}` });
    }
    const names = new Set(doc.versions.map((v) => v.version));
    if (names.size !== doc.versions.length) {
      ctx.addIssue({ code: 'custom', path: ['versions'], message: 'each version may appear once' });
    }
  });
export type RoutingDocument = z.infer<typeof routingDocument>;

/** What one replica has done with one endpoint's routing. */
export const appliedEndpoint = z.object({
  /** Highest generation this replica serves; 0 if none yet. */
  generation: z.number().int().nonnegative(),
  /** Set when the newest generation could not be applied; the replica keeps serving the previous one. */
  error: z
    .object({
      generation: z.number().int().positive(),
      message: z.string(),
    })
    .optional(),
});
export type AppliedEndpoint = z.infer<typeof appliedEndpoint>;

/** `gateway/replicas/<id>.json`: a replica's heartbeat. Stale heartbeats mean a dead replica. */
export const replicaStatus = z.object({
  replicaId: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/),
  url: z.string().url(),
  startedAt: z.string(),
  heartbeatAt: z.string(),
  heartbeatIntervalMs: z.number().int().positive(),
  endpoints: z.record(z.string(), appliedEndpoint),
});
export type ReplicaStatus = z.infer<typeof replicaStatus>;
