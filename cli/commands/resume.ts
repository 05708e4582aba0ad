/** `modelship resume <endpoint>/<version>`: continue a paused canary step. */
import { controlCommand } from '../controlCommand';

export const resumeCommand = controlCommand('resume', 'resume a paused canary step', (d, r) => d.resume(r));
