/** How the client reads a failed Temporal Update: the reason the workflow gave, and its failure type. */
import { ApplicationFailure, type WorkflowUpdateFailedError } from '@temporalio/client';

/** The reason a workflow gave for failing (or its validator for rejecting) an Update. */
export function updateFailureReason(error: WorkflowUpdateFailedError): string {
  return (error.cause as Error | undefined)?.message ?? error.message;
}

/** The `type` of the `ApplicationFailure` an Update failed with, if it failed with one. */
export function updateFailureType(error: WorkflowUpdateFailedError): string | undefined {
  return error.cause instanceof ApplicationFailure ? (error.cause.type ?? undefined) : undefined;
}
