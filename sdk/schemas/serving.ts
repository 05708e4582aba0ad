/** How a gateway serves one model version: concurrency, queueing and dynamic batching. Pure zod. */
import { z } from 'zod';

/**
 * Dynamic batching: requests that arrive close together are concatenated along the first (batch)
 * dimension and run as one. Off unless configured.
 */
export const batchingConfig = z.strictObject({
  /** Largest batch (sum of the requests' first dimensions) run at once. */
  maxBatchSize: z.number().int().min(1).max(4096).default(8),
  /** Longest the oldest queued request waits for a batch to fill. */
  maxQueueDelayMicroseconds: z.number().int().min(0).max(1_000_000).default(500),
  /** Answer requests in arrival order (batches are formed from the head of the queue only). */
  preserveOrdering: z.boolean().default(true),
});
export type BatchingConfig = z.output<typeof batchingConfig>;

export const servingConfig = z.strictObject({
  /** Dynamic batching: concatenate requests that arrive close together and run them as one (off unless set). */
  batching: batchingConfig.optional(),
  /** Model runs (requests, or batches) in flight at once for this version on one replica. */
  maxConcurrency: z.number().int().min(1).max(1024).default(4),
  /** Requests waiting beyond this are answered 429 at once. */
  maxQueueSize: z.number().int().min(0).max(100_000).default(256),
  /** Longest a request may wait in the queue (0: no limit). */
  queueTimeoutMs: z.number().int().min(0).max(600_000).default(0),
  /** On queue timeout: answer 503 (`reject`), or keep waiting (`delay`). */
  timeoutAction: z.enum(['reject', 'delay']).default('reject'),
});
export type ServingConfig = z.output<typeof servingConfig>;
export type ServingConfigInput = z.input<typeof servingConfig>;
