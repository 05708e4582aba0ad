/**
 * Query, update and signal definitions shared by workflows and clients (the `shared.ts` of the
 * Temporal samples). Workflow-safe.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { DeploymentStatus } from './schemas/reports';

/** The current status of a deployment: phase, stages, reports so far. */
export const deploymentStatusQuery = defineQuery<DeploymentStatus>('status');

/** Who asks, and why: recorded with the rollout. */
export interface ControlRequest {
  by?: string;
  reason?: string;
}

/** Let a canary step that waits for approval proceed. Rejected unless a step is waiting. */
export const approveUpdate = defineUpdate<string, [ControlRequest]>('approve');
/** Stop the rollout and return all traffic to the stable version. */
export const abortUpdate = defineUpdate<string, [ControlRequest]>('abort');
/** Hold the current step (its bake clock stops) until resumed. */
export const pauseUpdate = defineUpdate<string, [ControlRequest]>('pause');
export const resumeUpdate = defineUpdate<string, [ControlRequest]>('resume');
