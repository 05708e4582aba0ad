/** How a gateway serves one model version: model instances, queueing and adaptive batching. Pure zod. */
import { z } from 'zod';

/**
 * Adaptive batching: requests are concatenated along the first (batch) dimension and run as one.
 * An idle instance takes at once what is queued; while every instance is busy, requests gather and
 * the next free instance takes up to `maxBatchSize` rows of them. Off unless configured.
 */
export const batchingConfig = z.strictObject({
  /** Largest batch (sum of the requests' first dimensions) run at once. */
  maxBatchSize: z.number().int().min(1).max(4096).default(8),
  /**
   * Kept so existing specs stay valid; no request waits for batch-mates any more. Batches form
   * while every instance is busy, so batching costs no latency at low load (this delay did).
   */
  maxQueueDelayMicroseconds: z.number().int().min(0).max(1_000_000).default(500),
  /** Answer requests in arrival order (batches are formed from the head of the queue only). */
  preserveOrdering: z.boolean().default(true),
});
export type BatchingConfig = z.output<typeof batchingConfig>;

export const servingConfig = z.strictObject({
  /** Dynamic batching: concatenate requests that arrive close together and run them as one (off unless set). */
  batching: batchingConfig.optional(),
  /**
   * Model instances on each replica: worker threads with a session each, off the gateway's event
   * loop; this many runs (requests, or batches) are in flight at once. Default: half the replica's
   * cores (at least 1, at most 8), decided by each replica, with its cores split between instances
   * as onnxruntime intra-op threads.
   */
  instances: z.number().int().min(1).max(64).optional(),
  /**
   * Superseded by `instances` (runs in flight are the version's instances); accepted for existing
   * specs, and the limit only for a session that runs on the gateway's own thread.
   */
  maxConcurrency: z.number().int().min(1).max(1024).default(4),
  /** Requests waiting beyond this are answered 429 at once. */
  maxQueueSize: z.number().int().min(0).max(100_000).default(256),
  /** Longest a request may wait in the queue (0: no limit). */
  queueTimeoutMs: z.number().int().min(0).max(600_000).default(0),
  /** On queue timeout: answer 503 (`reject`), or keep waiting (`delay`). */
  timeoutAction: z.enum(['reject', 'delay']).default('reject'),
  /**
   * Where the endpoint runs: a label selector over gateway replicas (`modelship serve --labels`),
   * `pool=cpu-small` or `pool=gpu-large,zone=a` (every label must match); a bare name means
   * `pool=<name>`. Default: every replica. The routed version being rolled out decides the endpoint's
   * placement (all its versions run on the same replicas).
   */
  pool: z
    .string()
    .regex(/^[A-Za-z0-9._-]+(=[A-Za-z0-9._-]+)?(,[A-Za-z0-9._-]+=[A-Za-z0-9._-]+)*$/, 'a label selector such as pool=cpu-small or pool=gpu,zone=a')
    .optional(),
  /**
   * How many replicas of the pool hold the endpoint, chosen at each routing change by rendezvous
   * hashing over the live replicas whose labels match `pool`. Default: all of them (and a replica
   * that joins the pool later loads it too).
   */
  replicas: z.number().int().min(1).max(1024).optional(),
});
export type ServingConfig = z.output<typeof servingConfig>;
export type ServingConfigInput = z.input<typeof servingConfig>;
