/** `modelship retry <endpoint>/<version> --reason "..."`: re-run the stage a deployment waits on after an infrastructure failure. */
import { controlCommand } from '../controlCommand';

export const retryCommand = controlCommand('retry', 're-run the stage a deployment waits on (WaitingForRetry) with its inputs', (d, r) => d.retry(r));
