/**
 * The live state of an endpoint, as its entity workflow (`endpoint/<name>`) holds and answers it:
 * what serves, what is rolling out, what waits, and what happened. Pure zod.
 */
import { z } from 'zod';
import { endpointName, sha256Digest, versionName } from './common';
import { pickedArtifacts } from './artifact';
import { targetPicks } from './routing';
import { servingConfig } from './serving';
import { activeWatch } from './watch';
import { OUTCOMES, PHASES } from '../constants';

/** A version the endpoint served or serves, with what it needs to serve again. */
export const servedVersion = z.object({
  version: versionName,
  digest: sha256Digest,
  serving: servingConfig.optional(),
  /** Its picks for the targets other than cpu (what GPU replicas serve); absent: `digest` everywhere. */
  picks: targetPicks.optional(),
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
  /** Its post-promotion watch, as it last reported it; while `watching`, `modelship rollback` ends it. */
  watch: activeWatch.optional(),
  /** For a re-release (`version:`/`digest:` source): the artifact its source named when it was admitted, which it releases whatever the aliases say when it starts. */
  release: z
    .object({
      version: versionName,
      digest: sha256Digest,
      /** Its model in the store. */
      key: z.string(),
      sizeBytes: z.number().int().nonnegative(),
      /** The pass that made it. */
      pass: z.string(),
      /** How the source named it (`alias champion`), if not by its version. */
      via: z.string().optional(),
      /** Its picks for the targets other than cpu, released with it again. */
      picks: pickedArtifacts.optional(),
    })
    .optional(),
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

/** A time a version served the endpoint: from its promotion (or a rollback to it) until another took its place. */
export const servedPeriod = z.object({
  from: z.string(),
  /** Absent while it serves. */
  to: z.string().optional(),
});

/** A version that served the endpoint (it passed validation for it), with what it takes to serve it again. */
export const versionRecord = z.object({
  version: versionName,
  digest: sha256Digest,
  /** Its model in the store (`models/<digest>.onnx`). */
  artifactKey: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  /** The pass that made the artifact (`convert` for the fp32 conversion). */
  pass: z.string(),
  /** Its picks for the targets other than cpu (what GPU replicas served), kept to serve them again. */
  picks: pickedArtifacts.optional(),
  /** The spec's `model.source` (a `version:`/`digest:` source for a re-release). */
  source: z.string(),
  serving: servingConfig.optional(),
  /** The deployment that promoted it. */
  workflowId: z.string().optional(),
  /** When it served, oldest first. */
  served: z.array(servedPeriod),
  /** Its final verdicts: the candidate selection, the benchmark gate, how it stopped serving. */
  verdicts: z.array(z.string()),
  /** The deployment report's location. */
  report: z.string().optional(),
});
export type VersionRecord = z.infer<typeof versionRecord>;

/**
 * `endpoints/<name>/versions.json`: the versions the endpoint keeps (and its aliases), written by the
 * endpoint when they change, so garbage collection keeps every model a rollback or a re-release may
 * serve again (it keeps every digest named under `endpoints/`).
 */
export const keptVersionsDocument = z.object({
  endpoint: endpointName,
  /** Each kept version and its artifact's digest, oldest first. */
  versions: z.array(z.object({ version: versionName, digest: sha256Digest, picks: targetPicks.optional() })),
  /** Names for versions (`champion` → `v3`). */
  aliases: z.record(z.string(), versionName),
  /** When the endpoint wrote it. */
  updatedAt: z.string(),
});
export type KeptVersionsDocument = z.infer<typeof keptVersionsDocument>;

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
  /** Every version that served, oldest first (bounded); absent in state recorded before versions were kept. */
  versions: z.array(versionRecord).optional(),
  /** Names for versions (`champion` → `v3`), usable wherever a version is. */
  aliases: z.record(z.string(), versionName).optional(),
  /** Times the workflow continued as new (its state carried over). */
  continuedAsNew: z.number().int().nonnegative(),
});
export type EndpointState = z.infer<typeof endpointState>;
