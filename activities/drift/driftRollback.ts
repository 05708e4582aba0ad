/**
 * The `rollBackForDrift` activity: a drift alert with `onAlert: rollback` asks the endpoint workflow
 * for a rollback through its `rollback` Update (the one way back), with the worker's Temporal
 * client. The endpoint refusing (a deployment in progress, nothing to return to) or not running is an outcome, not
 * a failure: it is recorded in the check's document either way, and returned.
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { updateFailureReason } from '../../sdk/client/updateRejection';
import { rollbackUpdate } from '../../sdk/definitions';
import { endpointWorkflowId } from '../../sdk/names';
import { driftCheckResult } from '../../sdk/schemas';
import { readDocument, storeKeys, writeDocument, type ArtifactStore } from '../../store';

export interface DriftRollbackInput {
  endpoint: string;
  /** The check that raised the alert (its `at`: the name of its document). */
  at: string;
  reason: string;
}

export async function rollBackForDrift(store: ArtifactStore, input: DriftRollbackInput, client: Client = Context.current().client): Promise<string> {
  let outcome: string;
  try {
    const detail = await client.workflow.getHandle(endpointWorkflowId(input.endpoint)).executeUpdate(rollbackUpdate, {
      args: [{ reason: input.reason, by: 'drift monitoring' }],
    });
    outcome = `rolled back: ${detail}`;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) outcome = `rollback not started: endpoint ${input.endpoint} has no running endpoint workflow`;
    else if (error instanceof WorkflowUpdateFailedError) outcome = `rollback refused: ${updateFailureReason(error)}`;
    else throw error;
  }
  const key = storeKeys.driftCheck(input.endpoint, input.at);
  const check = await readDocument(store, key, driftCheckResult);
  if (check) await writeDocument(store, key, { ...check, outcome });
  return outcome;
}
