/**
 * Query, update and signal definitions shared by workflows and clients (the `shared.ts` of the
 * Temporal samples). Workflow-safe.
 */
import { defineQuery } from '@temporalio/workflow';
import type { DeploymentStatus } from './schemas/reports';

/** The current status of a deployment: phase, stages, reports so far. */
export const deploymentStatusQuery = defineQuery<DeploymentStatus>('status');
