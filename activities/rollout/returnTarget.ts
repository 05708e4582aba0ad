/**
 * Whether a version the endpoint served can serve again: its artifact is still in the store, and its
 * IO contract is what the clients of the serving version send (input names, datatypes, shapes with
 * their dynamic axes; the outputs they read). Checked before a rollback to it, or a re-release of it,
 * changes anything.
 */
import { modelMetadata, type IoSignature } from '../../sdk/schemas';
import { readDocument, storeKeys, type ArtifactStore } from '../../store';
import { breakingChanges, formatChanges } from '../validate/ioContract';

/** A version and its artifact's digest. */
export interface VersionArtifact {
  version: string;
  digest: string;
}

export interface ReturnTargetInput {
  /** The version to serve again. */
  target: VersionArtifact;
  /** What serves now (absent: nothing to compare with). */
  serving?: VersionArtifact;
}

/** Why `target` cannot serve again, with the failure type a deployment records. */
export interface ReturnRefusal {
  type: 'ModelSourceUnreadable' | 'IoContractBroken';
  reason: string;
}

/** What the check found: a refusal, or the target's IO signature (it can serve again). */
export type ReturnTargetCheck = { refusal: ReturnRefusal } | { io: IoSignature };

export async function checkReturnTarget(store: ArtifactStore, input: ReturnTargetInput): Promise<ReturnTargetCheck> {
  const found = await findRefusal(store, input);
  return 'type' in found ? { refusal: found } : { io: found.io };
}

async function findRefusal(store: ArtifactStore, { target, serving }: ReturnTargetInput): Promise<ReturnRefusal | { io: IoSignature }> {
  const key = storeKeys.model(target.digest);
  const gone = (what: string): ReturnRefusal => ({
    type: 'ModelSourceUnreadable',
    reason: `the ${what} of ${target.version} (${key}) is no longer in the store (collected or deleted): deploy ${target.version} again from its source`,
  });
  if (!(await store.exists(key))) return gone('artifact');
  const metadata = await readDocument(store, storeKeys.modelMetadata(target.digest), modelMetadata);
  if (!metadata) return gone('metadata');
  if (!serving || serving.digest === target.digest) return { io: metadata.io };
  const current = await readDocument(store, storeKeys.modelMetadata(serving.digest), modelMetadata);
  if (!current) return { io: metadata.io }; // nothing to compare with: the gateway checks every request against the model it serves
  const reason = ioContractRefusal(current.io, metadata.io, serving.version);
  return reason ? { type: 'IoContractBroken', reason } : { io: metadata.io };
}

/** Why a version with IO `target` cannot take over from `serving` (what its clients send and read), or undefined. Pure. */
export function ioContractRefusal(serving: IoSignature, target: IoSignature, servingVersion: string): string | undefined {
  const changes = breakingChanges(serving, target);
  return changes.length > 0 ? `its IO contract differs from ${servingVersion}'s, which clients send: ${formatChanges(changes)}` : undefined;
}
