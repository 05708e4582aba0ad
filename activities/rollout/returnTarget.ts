/**
 * Whether a version the endpoint served can serve again: its artifact (and each target's pick it
 * serves on other replicas, such as `picks.gpu`) is still in the store, and its
 * IO fits the serving version's. A re-release is a release: it keeps the whole IO contract (inputs
 * clients send, outputs they read). A rollback compares what clients SEND: the target must accept
 * the serving version's inputs (names, datatypes, shapes); an output the target lacks is a warning,
 * not a refusal; `force` skips the IO check (never the artifact's). Checked before anything changes.
 */
import { modelMetadata, type IoSignature, type TargetPicks } from '../../sdk/schemas';
import { readDocument, storeKeys, type ArtifactStore } from '../../store';
import { breakingChanges, formatChanges } from '../validate/ioContract';

/** A version and its artifact's digest. */
export interface VersionArtifact {
  version: string;
  digest: string;
}

export interface ReturnTargetInput {
  /** The version to serve again, with its picks for the targets other than cpu (each must still be in the store too). */
  target: VersionArtifact & { picks?: TargetPicks };
  /** What serves now (absent: nothing to compare with). */
  serving?: VersionArtifact;
  /**
   * Which IO rule applies: `release` (the default; a re-release keeps the whole contract), `inputs`
   * (a rollback: what clients send; missing outputs are warnings), `skip` (a forced rollback).
   */
  ioRule?: 'release' | 'inputs' | 'skip';
}

/** Why `target` cannot serve again, with the failure type a deployment records. */
export interface ReturnRefusal {
  type: 'ModelSourceUnreadable' | 'IoContractBroken';
  reason: string;
}

/** What the check found: a refusal, or the target's IO signature (it can serve again), with what clients lose (`warnings`: outputs the target lacks). */
export type ReturnTargetCheck = { refusal: ReturnRefusal } | { io: IoSignature; warnings?: string[] };

export async function checkReturnTarget(store: ArtifactStore, input: ReturnTargetInput): Promise<ReturnTargetCheck> {
  const found = await findRefusal(store, input);
  return 'type' in found ? { refusal: found } : found;
}

async function findRefusal(
  store: ArtifactStore,
  { target, serving, ioRule = 'release' }: ReturnTargetInput,
): Promise<ReturnRefusal | { io: IoSignature; warnings?: string[] }> {
  const gone = (what: string, key: string): ReturnRefusal => ({
    type: 'ModelSourceUnreadable',
    reason: `the ${what} of ${target.version} (${key}) is no longer in the store (collected or deleted): deploy ${target.version} again from its source`,
  });
  const key = storeKeys.model(target.digest);
  if (!(await store.exists(key))) return gone('artifact', key);
  const metadata = await readDocument(store, storeKeys.modelMetadata(target.digest), modelMetadata);
  if (!metadata) return gone('metadata', key);
  for (const [pickTarget, pick] of Object.entries(target.picks ?? {})) {
    const pickKey = storeKeys.model(pick.digest);
    if (!(await store.exists(pickKey))) return gone(`${pickTarget} pick`, pickKey);
  }
  if (!serving || serving.digest === target.digest || ioRule === 'skip') return { io: metadata.io };
  const current = await readDocument(store, storeKeys.modelMetadata(serving.digest), modelMetadata);
  if (!current) return { io: metadata.io }; // nothing to compare with: the gateway checks every request against the model it serves
  if (ioRule === 'inputs') {
    const check = rollbackIoCheck(current.io, metadata.io, serving.version);
    if (check.refusal) return { type: 'IoContractBroken', reason: check.refusal };
    return check.warnings.length > 0 ? { io: metadata.io, warnings: check.warnings } : { io: metadata.io };
  }
  const reason = ioContractRefusal(current.io, metadata.io, serving.version);
  return reason ? { type: 'IoContractBroken', reason } : { io: metadata.io };
}

/** Why a version with IO `target` cannot take over from `serving` (what its clients send and read), or undefined. Pure. */
export function ioContractRefusal(serving: IoSignature, target: IoSignature, servingVersion: string): string | undefined {
  const changes = breakingChanges(serving, target);
  return changes.length > 0 ? `its IO contract differs from ${servingVersion}'s, which clients send: ${formatChanges(changes)}` : undefined;
}

/**
 * A rollback's IO rule, from `serving` to `target`: refused when the target would not accept what
 * clients of the serving version send (inputs: names, datatypes, shapes); the outputs the target
 * lacks or changes are warnings (clients reading them lose them). Pure.
 */
export function rollbackIoCheck(serving: IoSignature, target: IoSignature, servingVersion: string): { refusal?: string; warnings: string[] } {
  const inputs = breakingChanges({ inputs: serving.inputs, outputs: [] }, { inputs: target.inputs, outputs: [] });
  const outputs = breakingChanges({ inputs: [], outputs: serving.outputs }, { inputs: [], outputs: target.outputs });
  const warnings = outputs.length > 0 ? [`clients of ${servingVersion} lose: ${formatChanges(outputs)}`] : [];
  if (inputs.length === 0) return { warnings };
  return { refusal: `it does not accept what clients of ${servingVersion} send: ${formatChanges(inputs)}`, warnings };
}
