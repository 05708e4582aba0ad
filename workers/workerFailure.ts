/** How a worker process that could not run says why: a setup problem as what is wrong and what to do, anything else with its stack. */
import { SetupError } from '../sdk/errors';

export function workerFailureText(worker: string, error: unknown): string {
  if (error instanceof SetupError) return `modelship ${worker} worker cannot start: ${error.message}\n\n${error.hint}`;
  return `modelship ${worker} worker failed: ${error instanceof Error ? error.stack : String(error)}`;
}
