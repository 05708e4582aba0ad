/** How commands name a deployment: `deploy/<endpoint>/<version>` (its workflow id) or `<endpoint>/<version>`. */
import { deploymentWorkflowId } from '../sdk/names';

/** The workflow id a command-line target names, or `undefined` if it names none. */
export function deploymentTarget(target: string | undefined): string | undefined {
  const parts = target?.split('/') ?? [];
  if (parts[0] === 'deploy' && parts.length === 3) return target;
  if (parts.length === 2 && parts[0] && parts[1]) return deploymentWorkflowId(parts[0], parts[1]);
  return undefined;
}
