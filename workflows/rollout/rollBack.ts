/** Thrown inside a rollout to stop it and return traffic to stable, with the typed reason. Deterministic. */
import type { DeploymentFailure } from '../../sdk/schemas';

export class RollBack extends Error {
  constructor(readonly failure: DeploymentFailure) {
    super(failure.message);
  }
}

/** A rollback for a reason of type `type`, raised at the release stage. */
export function rollBack(type: DeploymentFailure['type'], message: string): RollBack {
  return new RollBack({ type, stage: 'release', message });
}
