/**
 * Zod schemas of every Modelship document: pipeline specs, artifacts, routing, reports.
 * Pure and workflow-safe; types come from the schemas (`z.infer`).
 */
export * from './common';
export * from './tensor';
export * from './artifact';
export * from './serving';
export * from './routing';
export * from './pipelineSpec';
export * from './reports';
export * from './analysis';
export * from './endpoint';
export { formatIssues, parseOrThrow } from './parse';
