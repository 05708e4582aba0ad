/**
 * Placement, as a replica reads it: which replicas hold an endpoint (the routing document's
 * `placement`: a label selector, and the replicas chosen when `serving.replicas` limits them), how
 * label lists are written (`pool=cpu-small,zone=a`), and whether a replica matches. Pure.
 */
import type { ReplicaLabels, RoutingDocument, ServingConfig } from '../sdk/schemas';

/** The part of a serving config that places an endpoint. */
export type PlacementWish = Pick<ServingConfig, 'pool' | 'replicas'>;

/** What placement knows of a replica: its id and labels. */
export interface PlacementTarget {
  replicaId: string;
  labels?: ReplicaLabels;
}

/**
 * Parses a label list, `pool=cpu-small,zone=a`; a bare name means `pool=<name>`. Used for a
 * replica's `--labels` and an endpoint's `serving.pool` alike.
 */
export function parseLabels(text: string): ReplicaLabels {
  const labels: ReplicaLabels = {};
  for (const part of text.split(',').map((p) => p.trim())) {
    if (!part) continue;
    const [key, value, extra] = part.includes('=') ? part.split('=') : ['pool', part];
    if (!key || !value || extra !== undefined || !/^[A-Za-z0-9._-]{1,63}$/.test(key) || !/^[A-Za-z0-9._-]{1,63}$/.test(value)) {
      throw new Error(`"${part}" is not a label: write key=value (letters, digits, '.', '_', '-'), such as pool=cpu-small`);
    }
    labels[key] = value;
  }
  return labels;
}

/** `pool=cpu-small,zone=a`: labels (or a selector) as written on the command line. */
export function formatLabels(labels: ReplicaLabels | undefined): string {
  return Object.entries(labels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Whether `labels` carry every label of `selector` (an empty selector matches every replica). */
export function matchesSelector(labels: ReplicaLabels | undefined, selector: ReplicaLabels): boolean {
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

/**
 * Whether `self` holds the endpoint `doc` routes: every replica when the document has no placement;
 * else a chosen replica, or (when none were chosen) any replica the selector matches.
 */
export function isPlacedHere(doc: Pick<RoutingDocument, 'placement'>, self: PlacementTarget): boolean {
  const placement = doc.placement;
  if (!placement) return true;
  if (placement.replicas) return placement.replicas.includes(self.replicaId);
  return matchesSelector(self.labels, placement.selector);
}

/**
 * The serving config that places an endpoint: the version being rolled out decides (the shadow
 * target, else the last routed version: a rollout lists the candidate after stable), falling back
 * to any routed version that names a pool or a replica count.
 */
export function placingServing(doc: { versions: readonly { serving?: PlacementWish }[]; shadow?: { serving?: PlacementWish } }): PlacementWish | undefined {
  const newestFirst = [doc.shadow?.serving, ...[...doc.versions].reverse().map((v) => v.serving)];
  return newestFirst.find((s) => s?.pool !== undefined || s?.replicas !== undefined);
}
