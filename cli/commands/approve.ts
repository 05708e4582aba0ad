/** `modelship approve <endpoint>/<version>`: let a canary step waiting for approval proceed. */
import { controlCommand } from '../controlCommand';

export const approveCommand = controlCommand('approve', 'approve a canary step that waits for approval', (d, r) => d.approve(r));
