/**
 * Zod schemas of every Modelship document: pipeline specs, artifacts, routing, reports.
 * Pure and workflow-safe; types come from the schemas (`z.infer`).
 */
export * from './common';
export * from './sourceLocation';
export * from './knownArtifact';
export * from './registrySource';
export * from './tensor';
export * from './inputProfile';
export * from './artifact';
export * from './skippedPass';
export * from './serving';
export * from './routing';
export * from './pipelineSpec';
export * from './stageSettings';
export * from './storedSource';
export * from './reports';
export * from './analysis';
export * from './behaviour';
export * from './endpoint';
export * from './driftMonitoring';
export * from './driftCheck';
export * from './notification';
export * from './watch';
export { formatIssues, parseOrThrow } from './parse';
/** The vocabularies the schemas' enums are built from (defined in `sdk/constants`, which workflows import directly). */
export { OUTCOMES, PHASES, STAGE_NAMES, STAGE_PHASES, TARGETS, type Outcome, type Phase, type StageName, type Target } from '../constants';
