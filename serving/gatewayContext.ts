/** What the gateway's route handlers share: this replica, its models, its measurements, its capture and its limits. */
import type { FaultInjector } from './faultInjection';
import type { GatewayMetrics } from './metrics';
import type { ModelRegistry } from './modelRegistry';
import type { Reconciler } from './reconciler';
import type { StatsWindow } from './statsWindow';
import type { TrafficCapture } from './trafficCapture';

export interface GatewayContext {
  readonly replicaId: string;
  readonly registry: ModelRegistry;
  readonly reconciler: Reconciler;
  readonly stats: StatsWindow;
  readonly metrics: GatewayMetrics;
  /** Largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** Bearer token for `/admin/*`; without one, admin routes answer 403. */
  readonly adminToken: string | undefined;
  /** Bearer token for inference routes; without one, they are open. */
  readonly inferenceToken: string | undefined;
  /** Sampled capture of served requests (a no-op at rate 0). */
  readonly capture: TrafficCapture;
  /** The fault switch (demos and tests); undefined unless the gateway allows fault injection. */
  readonly faults?: FaultInjector;
}
