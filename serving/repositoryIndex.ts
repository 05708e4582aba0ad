/**
 * The repository index (Triton's model-repository extension, read-only): every endpoint and version
 * a replica serves, with its state. Loading stays declarative: what a replica serves follows the
 * store's routing documents, so this index only reports; it loads and unloads nothing.
 */
import type { AppliedEndpoint } from '../sdk/schemas';
import type { ModelRegistry } from './modelRegistry';

/** Triton's states; a replica reports `READY` for what it serves and `UNAVAILABLE` for what it could not load. */
export type RepositoryModelState = 'READY' | 'UNAVAILABLE';

export interface RepositoryModel {
  /** The endpoint (a KServe model name). */
  readonly name: string;
  /** The version; empty for an endpoint whose routing failed to load before any version served. */
  readonly version: string;
  readonly state: RepositoryModelState;
  /** Why it is not ready, or how it serves: its weight, or that it is the shadow. */
  readonly reason: string;
}

/**
 * The index, sorted by endpoint then version: each served version (weight or shadow), and for an
 * endpoint whose newest routing generation failed to load, an `UNAVAILABLE` entry saying why.
 * `readyOnly` keeps the `READY` entries only (the request's `{"ready": true}`).
 */
export function repositoryIndex(registry: ModelRegistry, applied: Readonly<Record<string, AppliedEndpoint>>, readyOnly = false): RepositoryModel[] {
  const models: RepositoryModel[] = [];
  const endpoints = new Set([...registry.endpoints(), ...Object.keys(applied)]);
  for (const endpoint of [...endpoints].sort()) {
    const route = registry.route(endpoint);
    const served = [...(route?.versions ?? [])].sort((a, b) => a.loaded.version.localeCompare(b.loaded.version));
    for (const { loaded, weight } of served) {
      models.push({ name: endpoint, version: loaded.version, state: 'READY', reason: `generation ${route?.generation}, weight ${weight}%` });
    }
    if (route?.shadow) {
      const { loaded, percent } = route.shadow;
      models.push({ name: endpoint, version: loaded.version, state: 'READY', reason: `generation ${route.generation}, shadow of ${percent}% of requests` });
    }
    const error = applied[endpoint]?.error;
    if (error && !readyOnly) {
      const keeps = route ? `; still serving generation ${route.generation}` : '';
      models.push({ name: endpoint, version: '', state: 'UNAVAILABLE', reason: `generation ${error.generation} failed to load: ${error.message}${keeps}` });
    }
  }
  return readyOnly ? models.filter((m) => m.state === 'READY') : models;
}
