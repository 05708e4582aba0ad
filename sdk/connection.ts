/**
 * Where the Temporal frontend is: the standard Temporal environment configuration
 * (`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, TLS settings, `TEMPORAL_PROFILE`
 * and the TOML config file), so the same code reaches a dev server, a cluster or Temporal Cloud.
 */
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';

export interface ConnectionOverrides {
  /** `host:port` of the Temporal frontend; overrides the environment. */
  address?: string;
  namespace?: string;
  /** Profile in the Temporal config file (default `default`, or `TEMPORAL_PROFILE`). */
  profile?: string;
  env?: Record<string, string | undefined>;
}

export interface ResolvedConnection {
  connectionOptions: ClientConnectConfig['connectionOptions'];
  namespace: string;
  address: string;
}

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';

export function resolveConnection(overrides: ConnectionOverrides = {}): ResolvedConnection {
  // An empty variable counts as unset: CI systems and Kubernetes pass missing secrets as "".
  const env = Object.fromEntries(Object.entries(overrides.env ?? process.env).filter(([, value]) => value !== undefined && value !== ''));
  const config = loadClientConnectConfig({
    profile: overrides.profile ?? env.TEMPORAL_PROFILE,
    overrideEnvVars: env as Record<string, string>,
  });
  const address = overrides.address ?? config.connectionOptions.address ?? DEFAULT_TEMPORAL_ADDRESS;
  return {
    connectionOptions: { ...config.connectionOptions, address },
    namespace: overrides.namespace ?? config.namespace ?? 'default',
    address,
  };
}
