/**
 * Reading an uploaded source (`store:sources/<sha256><ext>`): a file `modelship deploy` or
 * `client.deploy()` put into the artifact store before the deployment started. It is read from this
 * worker's store: refused at once when the stored size is over the cap, then streamed chunk by
 * chunk (each heartbeats and stops on cancellation), hashed as it goes and checked against its
 * digest (a corrupt copy is quarantined).
 */
import { ArtifactCorruptError, verified } from '../../store';
import { uploadedSourceKey } from '../../sdk/schemas';
import { rejection } from '../failures';
import { overCapMessage, readCapped, type ReadSourceOptions } from './sourceRead';

export async function readStoreSource(source: string, options: ReadSourceOptions): Promise<Uint8Array> {
  const uploaded = uploadedSourceKey(source);
  if (!uploaded) throw rejection(options.failure, `${source} is not store:sources/<sha256><ext>`);
  const { store } = options;
  if (!store) throw new Error(`reading the ${options.what} ${source} needs the artifact store`);
  const stream = await store.getStream(uploaded.key, options.context.signal);
  if (!stream) {
    throw rejection(
      options.failure,
      `the ${options.what} ${source} is not in this worker's store (${store.uri}): the deploying client uploads it to its own store ` +
        "(MODELSHIP_STORE, `modelship deploy --store`, or the client's `store` option), which must be the store the workers use",
    );
  }
  if (stream.sizeBytes !== undefined && stream.sizeBytes > options.maxBytes) {
    stream.cancel();
    throw rejection(options.failure, overCapMessage(options, source, stream.sizeBytes));
  }
  const { bytes, sha256 } = await readCapped(stream.body, () => stream.cancel(), source, options);
  try {
    return await verified(store, uploaded.key, uploaded.digest, bytes, sha256);
  } catch (error) {
    if (error instanceof ArtifactCorruptError) throw rejection(options.failure, `the ${options.what} ${source}: ${error.message}`);
    throw error;
  }
}
