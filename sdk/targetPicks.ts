/**
 * Picks per target: which artifact of a version each kind of replica serves. A routed version's
 * `digest` is what a CPU replica serves — the cpu pick, or the fp32 conversion when the pipeline has
 * no cpu target (the one copy every replica can run, validated against the source framework) — and
 * `picks.gpu` what a GPU replica serves (absent: `digest`). Pure and workflow-safe: the release
 * builds the picks here, and the gateway and the verification activity resolve them here.
 */
import type { Target } from './constants';
import type { ModelArtifact, PickedArtifacts, RoutingDocument, TargetPicks } from './schemas';

/** What a routed version (or shadow) is served from. */
export interface PickedRoute {
  digest: string;
  picks?: TargetPicks;
}

/** The digest a replica of `target` loads for `route`: its pick for the target, else `digest`. */
export function digestFor(route: PickedRoute, target: Target): string {
  return target === 'cpu' ? route.digest : (route.picks?.[target]?.digest ?? route.digest);
}

/** The routing document as a replica of `target` serves it: each version's (and the shadow's) digest is its pick for the target. */
export function routingFor(doc: RoutingDocument, target: Target): RoutingDocument {
  if (target === 'cpu') return doc;
  return {
    ...doc,
    versions: doc.versions.map((v) => ({ ...v, digest: digestFor(v, target) })),
    ...(doc.shadow ? { shadow: { ...doc.shadow, digest: digestFor(doc.shadow, target) } } : {}),
  };
}

/** The digests of picked artifacts, as the routing document carries them; undefined when there are none. */
export function routedPicks(picked: PickedArtifacts | undefined): TargetPicks | undefined {
  return picked?.gpu ? { gpu: { digest: picked.gpu.digest } } : undefined;
}

/** What a release serves: `artifact` on CPU replicas (the routing's `digest`), `picks` on the others. */
export interface ServedArtifacts {
  artifact: ModelArtifact;
  picks?: PickedArtifacts;
}

/**
 * From the selected candidate of each target: the cpu pick serves CPU replicas; without a cpu
 * target, `fp32` (the fp32 conversion, or a re-released version's own artifact) does, and the first
 * target's pick when there is no such copy. The gpu pick serves GPU replicas.
 */
export function servedArtifacts(targets: readonly Target[], picks: ReadonlyMap<Target, ModelArtifact>, fp32: ModelArtifact | undefined): ServedArtifacts {
  const first = targets[0] as Target;
  const artifact = picks.get('cpu') ?? fp32 ?? (picks.get(first) as ModelArtifact);
  const gpu = picks.get('gpu');
  return gpu ? { artifact, picks: { gpu: { digest: gpu.digest, key: gpu.key, sizeBytes: gpu.sizeBytes } } } : { artifact };
}

/** `{ picks }` when `route` has picks, else `{}`: spread into a route, so one without picks stays as it was. */
export function picksOf(route: { picks?: TargetPicks | undefined }): { picks?: TargetPicks } {
  return route.picks ? { picks: route.picks } : {};
}

/** `picked`'s per-target picks as a route's optional `picks` field, to spread into a route (nothing when there are none). */
export function routedPicksOf(picked: PickedArtifacts | undefined): { picks?: TargetPicks } {
  return picksOf({ picks: routedPicks(picked) });
}
