/**
 * The live state of an endpoint, as its entity workflow (`endpoint/<name>`) holds and answers it:
 * what serves, what is rolling out, what waits, and what happened. Pure zod.
 */
import { z } from 'zod';
import { endpointName, sha256Digest, versionName } from './common';
import { servingConfig } from './serving';
import { OUTCOMES, PHASES } from '../constants';

/** A version the endpoint served or serves, with what it needs to serve again. */
export const servedVersion = z.object({
  version: versionName,
  digest: sha256Digest,
  serving: servingConfig.optional(),
  /** When it became stable. */
  since: z.string(),
  /** The deployment that promoted it, if Modelship did. */
  workflowId: z.string().optional(),
});
export type ServedVersion = z.infer<typeof servedVersion>;

/** A deployment admitted by the endpoint: waiting its turn, or running. */
export const admittedDeployment = z.object({
  version: versionName,
  workflowId: z.string(),
  /** Run id of the `deployModel` execution, once started (after a reset of the deployment: the run the reset started). */
  runId: z.string().optional(),
  /** Runs of this deployment that a reset ended (the UI's Reset, `temporal workflow reset`), oldest first. */
  resetRuns: z.array(z.string()).optional(),
  submittedAt: z.string(),
  submittedBy: z.string().optional(),
  startedAt: z.string().optional(),
  /** Latest phase and canary weight reported by the deployment. */
  phase: z.enum(PHASES).optional(),
  weight: z.number().optional(),
});
export type AdmittedDeployment = z.infer<typeof admittedDeployment>;

/** A deployment's outcome, or a manual rollback. */
export const ENDPOINT_EVENT_KINDS = [...OUTCOMES, 'rollback'] as const;

/** One line of the endpoint's rollout history. */
export const endpointEvent = z.object({
  at: z.string(),
  kind: z.enum(ENDPOINT_EVENT_KINDS),
  version: versionName,
  workflowId: z.string().optional(),
  runId: z.string().optional(),
  /** The stable version before this event, and after it. */
  stableBefore: versionName.optional(),
  stableAfter: versionName.optional(),
  /** Why: the failure, the verdict, or who rolled back and why. */
  detail: z.string(),
  generation: z.number().int().optional(),
});
export type EndpointEvent = z.infer<typeof endpointEvent>;

export const endpointState = z.object({
  endpoint: endpointName,
  phase: z.enum(PHASES),
  stable: servedVersion.optional(),
  /** Kept for `modelship rollback <endpoint>`: the stable version before the last promotion. */
  previous: servedVersion.optional(),
  active: admittedDeployment.optional(),
  queue: z.array(admittedDeployment),
  /** Latest routing generation this workflow wrote or saw reported. */
  generation: z.number().int().nonnegative(),
  /** Most recent last; bounded (older entries drop off). */
  history: z.array(endpointEvent),
  /** Times the workflow continued as new (its state carried over). */
  continuedAsNew: z.number().int().nonnegative(),
});
export type EndpointState = z.infer<typeof endpointState>;
