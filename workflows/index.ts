/**
 * Modelship workflows. This module is the worker's `workflowsPath`: every export is a workflow type
 * whose name is a wire contract.
 */
export { deployModel } from './deployModel';
export { endpoint } from './endpoint/endpoint';
export { driftCheck } from './drift/driftCheck';
export { notifyWorkflow } from './notify';
