/**
 * Reading an uploaded source (`store:sources/<sha256><ext>`): a file `modelship deploy` or
 * `client.deploy()` put into the artifact store before the deployment started. It is read from this
 * worker's store, checked against its digest (a corrupt copy is quarantined) and against the cap.
 */
import { ArtifactCorruptError, ArtifactMissingError, getVerified } from '../../store';
import { uploadedSourceKey } from '../../sdk/schemas';
import { rejection } from '../failures';
import { overCapMessage, readProgress, type ReadSourceOptions } from './sourceRead';

export async function readStoreSource(source: string, options: ReadSourceOptions): Promise<Uint8Array> {
  const uploaded = uploadedSourceKey(source);
  if (!uploaded) throw rejection(options.failure, `${source} is not store:sources/<sha256><ext>`);
  const { store } = options;
  if (!store) throw new Error(`reading the ${options.what} ${source} needs the artifact store`);
  let bytes: Uint8Array;
  try {
    bytes = await getVerified(store, uploaded.key, uploaded.digest);
  } catch (error) {
    if (error instanceof ArtifactMissingError)
      throw rejection(
        options.failure,
        `the ${options.what} ${source} is not in this worker's store (${store.uri}): the deploying client uploads it to its own store ` +
          "(MODELSHIP_STORE, `modelship deploy --store`, or the client's `store` option), which must be the store the workers use",
      );
    if (error instanceof ArtifactCorruptError) throw rejection(options.failure, `the ${options.what} ${source}: ${error.message}`);
    throw error;
  }
  if (bytes.byteLength > options.maxBytes) throw rejection(options.failure, overCapMessage(options, source, bytes.byteLength));
  readProgress(options, bytes.byteLength);
  return bytes;
}
