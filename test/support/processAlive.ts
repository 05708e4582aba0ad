/** Whether processes the tests started are still running, and waiting until they are not. */
import { setTimeout as sleep } from 'node:timers/promises';

/** True while `pid` runs (a negative pid: while any process of that group runs). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until none of `pids` runs; resolves with those still running after `boundMs` (a bound so a failure ends the test, never a timed assertion). */
export async function untilGone(pids: readonly number[], boundMs = 60_000): Promise<number[]> {
  const deadline = Date.now() + boundMs;
  while (pids.some(alive) && Date.now() < deadline) await sleep(200);
  return pids.filter(alive);
}
