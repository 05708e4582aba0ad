/**
 * How many model instances a served version gets on this replica, and how many onnxruntime
 * intra-op threads each: a spec's `serving.instances` is taken as given; otherwise the replica
 * decides from its own cores (a routing document is written elsewhere, so a default baked in at
 * parse time would be the writer's cores). Instances × intra-op threads stay within the cores.
 */
import { availableParallelism } from 'node:os';
import type { ServingConfig } from '../sdk/schemas';

/** At most this many instances by default: more rarely helps one version and costs a session each in memory. */
const MAX_DEFAULT_INSTANCES = 8;

/**
 * Half the cores, at least 1: the other half is left to the gateway's own thread (HTTP, JSON,
 * routing) and to each instance's second intra-op thread. On 2 cores: 1 instance with 2 threads.
 */
export function defaultInstances(cores: number = availableParallelism()): number {
  return Math.min(MAX_DEFAULT_INSTANCES, Math.max(1, Math.floor(cores / 2)));
}

export function instancesFor(serving: ServingConfig, cores: number = availableParallelism()): number {
  return serving.instances ?? defaultInstances(cores);
}

/** The gateway's `intraOpThreads` when set (> 0); else the cores shared out between the instances, at least 1 each. */
export function intraOpThreadsFor(instances: number, configured: number, cores: number = availableParallelism()): number {
  return configured > 0 ? configured : Math.max(1, Math.floor(cores / instances));
}
