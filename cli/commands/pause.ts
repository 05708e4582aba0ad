/** `modelship pause <endpoint>/<version>`: hold the current canary step. */
import { controlCommand } from '../controlCommand';

export const pauseCommand = controlCommand('pause', 'pause a canary step (its bake clock stops)', (d, r) => d.pause(r));
