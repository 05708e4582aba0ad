/**
 * The client side of Modelship (Node only, never imported by workflow code): `ModelshipClient`, the
 * handles it returns on deployments and endpoints, and how they wait — on Updates the workflows
 * answer when something has happened, not by polling.
 */
export * from './modelshipClient';
