/**
 * The watchdog that stops the local environment's processes when the process that started them dies
 * without stopping them (a test runner's worker killed with SIGKILL, a crash). The environment's
 * children run in process groups of their own, so nothing else would reach them.
 *
 * Both sides are in this file: {@link OrphanWatchdog} (the parent's side) starts this file as a
 * small process in a group of its own and writes it each child's process group over a pipe (and
 * `unwatch` when that child exits, so a group id the system reuses later is never signalled); when the
 * pipe reaches its end without `stop` (the parent is gone: the kernel closed its end), the watchdog
 * sends SIGTERM to every group it was told of, then SIGKILL to what is left, and exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { tsEntry } from './projectPaths';

/** How long the groups get between SIGTERM and SIGKILL. */
const GRACE_MS = 5000;

/** The parent's side: a running watchdog, told of each process group to stop if this process dies. */
export class OrphanWatchdog {
  private constructor(private readonly child: ChildProcess) {}

  /** Starts the watchdog process (it holds nothing open in this process: it never keeps it alive). */
  static start(): OrphanWatchdog {
    const entry = tsEntry('cli/dev/orphanWatchdog.ts');
    const child = spawn(entry.command, [...entry.args, String(process.pid)], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    child.on('error', () => undefined); // no watchdog: the environment still runs, it is only not guarded
    child.stdin?.on('error', () => undefined);
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return new OrphanWatchdog(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Stops the process group led by `pid` if this process dies before {@link close}; call what it returns when that process has exited. */
  watch(pid: number): () => void {
    this.send(`watch ${pid}`);
    return () => this.send(`unwatch ${pid}`);
  }

  private send(line: string): void {
    if (this.child.stdin?.writable) this.child.stdin.write(`${line}\n`);
  }

  /** The environment has stopped its processes itself: the watchdog exits without stopping anything. */
  close(): void {
    if (this.child.stdin?.writable) this.child.stdin.end('stop\n');
  }
}

/** Reads the parent's `watch <pgid>`, `unwatch <pgid>` and `stop` lines to their end: the groups still watched, and whether it said `stop`. */
export async function readWatchdogCommands(lines: AsyncIterable<string>): Promise<{ groups: Set<number>; stopped: boolean }> {
  const groups = new Set<number>();
  let stopped = false;
  for await (const line of lines) {
    const [verb, argument] = line.trim().split(/\s+/);
    if (verb === 'stop') stopped = true;
    if (!argument || !/^\d+$/.test(argument)) continue;
    if (verb === 'watch') groups.add(Number(argument));
    if (verb === 'unwatch') groups.delete(Number(argument));
  }
  return { groups, stopped };
}

/** The watchdog's side: the commands until `stop` (exit) or the end of input (stop the groups still watched, then exit). */
async function runWatchdog(): Promise<void> {
  const { groups, stopped } = await readWatchdogCommands(createInterface({ input: process.stdin }));
  if (stopped) return;
  signalGroups(groups, 'SIGTERM');
  await sleep(GRACE_MS);
  signalGroups(groups, 'SIGKILL');
}

function signalGroups(groups: ReadonlySet<number>, signal: NodeJS.Signals): void {
  for (const group of groups) {
    try {
      process.kill(-group, signal);
    } catch {
      // that group is gone already
    }
  }
}

if (require.main === module) {
  process.title = `modelship-watchdog (parent ${process.argv[2] ?? '?'})`;
  void runWatchdog(); // then nothing is left to wait for, and it exits
}
