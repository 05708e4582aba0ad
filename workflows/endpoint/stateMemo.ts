/**
 * The endpoint's state as a memo, so that `describe` answers "what serves, what rolls out" from the
 * server alone when no worker can answer a query (`modelship status` without a worker). Written
 * when the state changes (not on every call), with the recent history only. Deterministic; guarded
 * by a patch so histories recorded before it replay unchanged.
 */
import { patched, upsertMemo } from '@temporalio/workflow';
import { MEMO_KEYS } from '../../sdk/names';
import type { EndpointState, ServedVersion, VersionRecord } from '../../sdk/schemas';

/** Patch id: the endpoint workflow records its state in its memo. */
export const ENDPOINT_STATE_MEMO = 'endpoint-state-memo';

/** History entries the memo keeps (the query has the full bounded history). */
const MEMO_HISTORY = 20;

/** Writes the state into the memo when it differs from what was written last. */
export function stateMemoWriter(): (state: EndpointState) => void {
  let written = '';
  return (state) => {
    const compact: EndpointState = {
      ...state,
      stable: withoutServing(state.stable),
      previous: withoutServing(state.previous),
      history: state.history.slice(-MEMO_HISTORY),
      ...(state.versions ? { versions: state.versions.map((v) => withoutServing(v)) } : {}),
    };
    const json = JSON.stringify(compact);
    if (json === written || !patched(ENDPOINT_STATE_MEMO)) return;
    written = json;
    upsertMemo({ [MEMO_KEYS.endpointState]: JSON.parse(json) as unknown, [MEMO_KEYS.recordedAt]: new Date().toISOString() });
  };
}

/** A served version without its serving configuration (what `rollback` needs stays in the workflow). */
function withoutServing<V extends ServedVersion | VersionRecord>(version: V): V;
function withoutServing<V extends ServedVersion | VersionRecord>(version: V | undefined): V | undefined;
function withoutServing<V extends ServedVersion | VersionRecord>(version: V | undefined): V | undefined {
  if (!version) return undefined;
  const { serving: _serving, ...rest } = version;
  return rest as V;
}
