/**
 * Desired state of the data plane, as stored in the artifact store, and what each gateway replica
 * reports back. Pure zod.
 */
import { z } from 'zod';
import { TARGETS } from '../constants';
import { endpointName, sha256Digest, versionName } from './common';
import { servingConfig } from './serving';

/** One target's pick of a version: the artifact a replica of that target loads. */
export const targetPick = z.object({ digest: sha256Digest });
export type TargetPick = z.infer<typeof targetPick>;

/**
 * A version's picks for the targets other than cpu. A version's `digest` is what a CPU replica
 * serves (and what gateways from before per-target picks serve everywhere): the cpu pick, or the
 * fp32 conversion when the pipeline has no cpu target.
 */
export const targetPicks = z.object({
  /** What a GPU replica (`modelship serve --target gpu`) loads, with TensorRT, else CUDA; absent: `digest`. */
  gpu: targetPick.optional(),
});
export type TargetPicks = z.infer<typeof targetPicks>;

/** One version an endpoint serves, with the share of traffic it takes (weights sum to 100). */
export const routedVersion = z.object({
  version: versionName,
  digest: sha256Digest,
  weight: z.number().int().min(0).max(100),
  serving: servingConfig.optional(),
  /** The pipeline's pick per target other than cpu (a GPU replica serves `picks.gpu`); absent: `digest` everywhere. */
  picks: targetPicks.optional(),
});
export type RoutedVersion = z.infer<typeof routedVersion>;

/** A version that sees a copy of live traffic; its answers are compared, never returned. */
export const shadowTarget = z.object({
  version: versionName,
  digest: sha256Digest,
  /** Share of requests mirrored, 0-100. */
  percent: z.number().min(0).max(100),
  serving: servingConfig.optional(),
  /** The pipeline's pick per target other than cpu, as for a served version. */
  picks: targetPicks.optional(),
});
export type ShadowTarget = z.infer<typeof shadowTarget>;

/** Requests carrying `header` (equal to `value`, if given) go to `version`, whatever the weights. */
export const headerMatch = z.object({
  header: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/)
    .transform((h) => h.toLowerCase()),
  value: z.string().optional(),
  version: versionName,
});
export type HeaderMatch = z.infer<typeof headerMatch>;

/** A replica's labels (`modelship serve --labels pool=cpu-small,zone=a`), and a selector over them. */
export const replicaLabels = z.record(z.string().regex(/^[A-Za-z0-9._-]{1,63}$/), z.string().regex(/^[A-Za-z0-9._-]{1,63}$/));
export type ReplicaLabels = z.infer<typeof replicaLabels>;

const replicaId = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/);

/** Which gateway replicas hold an endpoint; absent: every replica. */
export const routingPlacement = z.object({
  /** Labels a replica must carry, every one of them, to hold the endpoint. */
  selector: replicaLabels,
  /** The replicas chosen to hold it (when `serving.replicas` limits them); absent: every replica the selector matches. */
  replicas: z.array(replicaId).min(1).optional(),
});
export type RoutingPlacement = z.infer<typeof routingPlacement>;

/**
 * `endpoints/<name>/routing.json`: the endpoint's desired routing. Every change bumps `generation`;
 * a replica that reports `generation` N serves exactly this document's versions and weights.
 */
export const routingDocument = z
  .object({
    endpoint: endpointName,
    generation: z.number().int().positive(),
    versions: z.array(routedVersion).min(1),
    /** Same value of this request header → same version (on every replica). */
    stickyHeader: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/)
      .transform((h) => h.toLowerCase())
      .optional(),
    match: headerMatch.optional(),
    shadow: shadowTarget.optional(),
    updatedBy: z.string().optional(),
    placement: routingPlacement.optional(),
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
    if (doc.match && !names.has(doc.match.version)) {
      ctx.addIssue({ code: 'custom', path: ['match', 'version'], message: `${doc.match.version} is not one of the versions` });
    }
    if (doc.shadow && names.has(doc.shadow.version)) {
      ctx.addIssue({ code: 'custom', path: ['shadow', 'version'], message: 'a shadow version must not also be served' });
    }
  });
export type RoutingDocument = z.infer<typeof routingDocument>;

/** What one replica has done with one endpoint's routing. */
export const appliedEndpoint = z.object({
  /** Highest generation this replica serves; 0 if none yet. */
  generation: z.number().int().nonnegative(),
  /** The artifact it loaded for each version (and shadow) of that generation: the version's pick for the replica's target. */
  digests: z.record(versionName, sha256Digest).optional(),
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
  replicaId,
  url: z.string().url(),
  startedAt: z.string(),
  heartbeatAt: z.string(),
  heartbeatIntervalMs: z.number().int().positive(),
  endpoints: z.record(z.string(), appliedEndpoint),
  /** The hardware the replica serves on (`modelship serve --target`): it loads each version's pick for it; absent: cpu. */
  target: z.enum(TARGETS).optional(),
  /** The replica's labels, which placement selects on; absent: none. */
  labels: replicaLabels.optional(),
  /** Memory the replica may give its models, in bytes; a load beyond it is refused. */
  memoryBudgetBytes: z.number().int().nonnegative().optional(),
  /** Memory its loaded models take, as estimated at load (model bytes × instances). */
  memoryUsedBytes: z.number().int().nonnegative().optional(),
});
export type ReplicaStatus = z.infer<typeof replicaStatus>;
