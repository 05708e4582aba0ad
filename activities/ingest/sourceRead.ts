/** One capped read of a source: what it is, its limit, its context, how it reports progress and refusals, and the streamed read itself. */
import { createHash } from 'node:crypto';
import type { FailureType } from '../../sdk/errors';
import { rejection } from '../failures';
import type { ArtifactStore } from '../../store';
import type { ActivityContext } from '../activityContext';
import type { SourcePolicy } from './sourcePolicy';

export interface ReadSourceOptions {
  policy: SourcePolicy;
  /** Largest source accepted, in bytes. */
  maxBytes: number;
  /** What a refusal is reported as (`ModelSourceUnreadable`, `InvalidGoldenInputs`, ...). */
  failure: FailureType;
  /** What the file is, for messages: `model source`, `golden inputs`... */
  what: string;
  /** Where the cap comes from, for messages: `model.maxSourceBytes or MODELSHIP_MAX_SOURCE_BYTES`. */
  capSetting: string;
  context: Pick<ActivityContext, 'heartbeat' | 'signal'>;
  /** The worker's artifact store, where `store:` sources (uploaded by the client) are read from. */
  store?: ArtifactStore;
}

/** Bytes read per chunk: each one heartbeats and checks for cancellation. */
export const READ_CHUNK_BYTES = 4 * 1024 * 1024;

/** Why a source over the cap is refused. */
export function overCapMessage(options: ReadSourceOptions, source: string, sizeBytes?: number): string {
  const size = sizeBytes === undefined ? '' : `${sizeBytes} bytes, `;
  return `${options.what} ${source} is ${size}over the limit of ${options.maxBytes} bytes (${options.capSetting})`;
}

/** Stops a read of a cancelled or timed-out activity, and tells Temporal it is alive and how far it got. */
export function readProgress(options: ReadSourceOptions, bytesRead: number): void {
  const { signal } = options.context;
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(`reading the ${options.what} was cancelled`);
  options.context.heartbeat({ phase: 'read', what: options.what, bytesRead });
}

/**
 * Reads a source's stream to the end, counting the cap on every chunk (a server may not declare
 * the size), heartbeating and stopping on cancellation, and hashing as it goes. `release` frees the
 * stream however the read ends.
 */
export async function readCapped(
  body: AsyncIterable<Uint8Array>,
  release: () => void,
  source: string,
  options: ReadSourceOptions,
): Promise<{ bytes: Uint8Array; sha256: string }> {
  const hash = createHash('sha256');
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of body) {
      total += chunk.byteLength;
      if (total > options.maxBytes) throw rejection(options.failure, overCapMessage(options, source));
      hash.update(chunk);
      chunks.push(chunk);
      readProgress(options, total);
    }
  } finally {
    release();
  }
  return { bytes: Buffer.concat(chunks, total), sha256: hash.digest('hex') };
}
