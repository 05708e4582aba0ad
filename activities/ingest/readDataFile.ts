/**
 * Reading a data file the spec names (golden inputs, profile samples, evaluation set, calibration
 * inputs) under the worker's data-file cap (`MODELSHIP_MAX_DATA_BYTES`), with {@link readSource}'s
 * safety: allowed roots only, regular files only, chunked reads that heartbeat.
 */
import type { FailureType } from '../../sdk/errors';
import type { ArtifactStore } from '../../store';
import type { ActivityContext } from '../activityContext';
import { readSource } from './readSource';
import { SOURCE_ENV, type SourcePolicy } from './sourcePolicy';

export interface DataFileDeps {
  store: ArtifactStore;
  context: ActivityContext;
  sources: SourcePolicy;
}

/** The bytes of the data file at `source`; refused as `failure`, naming it as `what`. */
export function readDataFile(deps: DataFileDeps, source: string, failure: FailureType, what: string): Promise<Uint8Array> {
  return readSource(source, {
    policy: deps.sources,
    maxBytes: deps.sources.maxDataBytes,
    failure,
    what,
    capSetting: `the worker's ${SOURCE_ENV.maxDataBytes}`,
    context: deps.context,
    store: deps.store,
  });
}
