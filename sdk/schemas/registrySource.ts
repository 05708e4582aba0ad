/**
 * A model in an MLflow Model Registry as a source: `models:/<name>/<version>` (a registered
 * version) or `models:/<name>@<alias>` (whatever version the alias points at when the deployment
 * runs). The worker resolves it against its `MLFLOW_TRACKING_URI`. Pure: parsing only.
 */

/** The prefix of a registry source, as MLflow's own clients write it. */
export const REGISTRY_SOURCE_PREFIX = 'models:/';

/** A registered model version, named by number or by alias. */
export type RegistryReference = { name: string; version: string } | { name: string; alias: string };

/** Registered model names: anything MLflow accepts except the separators of this form ('/', '@') and control characters. */
const NAME = /^[^/@\p{Cc}]{1,256}$/u;
/** Aliases as MLflow accepts them: letters, digits, '_' and '-'. */
const ALIAS = /^[A-Za-z0-9_-]{1,255}$/;

/** Whether a location is a registry source (well formed or not). */
export function isRegistrySource(location: string): boolean {
  return location.startsWith(REGISTRY_SOURCE_PREFIX);
}

/** The registered model and version or alias a `models:/` location names, or undefined when it is not one (or is malformed). */
export function registryReference(location: string): RegistryReference | undefined {
  if (!isRegistrySource(location)) return undefined;
  const rest = location.slice(REGISTRY_SOURCE_PREFIX.length);
  const at = rest.lastIndexOf('@');
  if (at > 0 && !rest.includes('/')) {
    const name = rest.slice(0, at);
    const alias = rest.slice(at + 1);
    return NAME.test(name) && ALIAS.test(alias) ? { name, alias } : undefined;
  }
  const slash = rest.lastIndexOf('/');
  const name = rest.slice(0, slash);
  const version = rest.slice(slash + 1);
  return slash > 0 && NAME.test(name) && /^[1-9][0-9]{0,9}$/.test(version) ? { name, version } : undefined;
}

/** The reference written back as a location: `models:/<name>/<version>` or `models:/<name>@<alias>`. */
export function registryLocation(reference: RegistryReference): string {
  return `${REGISTRY_SOURCE_PREFIX}${reference.name}${'alias' in reference ? `@${reference.alias}` : `/${reference.version}`}`;
}

/** What a malformed `models:/` location should look like. */
export const REGISTRY_SOURCE_FORMS = 'models:/<name>/<version> (a version number) or models:/<name>@<alias>';
