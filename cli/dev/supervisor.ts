/**
 * Supervision of the local environment's processes: a child that dies is reported (what died, how,
 * its last lines of output) and started again after a backoff; one that keeps dying soon after it
 * starts is given up on, and then everything stops and {@link Supervisor.gaveUp} says why.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ManagedProcess } from './childProcess';

/** The default destination of reports: stderr, one line each, prefixed `[dev]`. */
export function reportToStderr(line: string): void {
  process.stderr.write(`[dev] ${line}\n`);
}

/** A child the supervisor keeps running: how to start it (resolving once it is ready). */
export interface SupervisedService {
  readonly name: string;
  start(): Promise<ManagedProcess>;
}

export interface SupervisorOptions {
  /** Where reports go, one line each (default: stderr, prefixed `[dev]`). */
  report?: (line: string) => void;
  /** Failures in a row, each within `fastFailureMs` of starting, before giving up (default 5). */
  maxFastFailures?: number;
  /** A child that dies (or fails to start) sooner than this after starting has failed fast (default 30 s). */
  fastFailureMs?: number;
  /** The pause before the first restart, doubled after each fast failure up to `maxBackoffMs` (defaults 500 ms and 15 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Lines of a dead child's output shown in the report (default 10). */
  outputLines?: number;
}

interface Entry {
  service: SupervisedService;
  process: ManagedProcess;
  restarts: number;
  fastFailures: number;
}

export class Supervisor {
  /** Resolves with the reason once the supervisor has given up on a child (and stopped everything). */
  readonly gaveUp: Promise<Error>;
  private giveUp: (reason: Error) => void = () => undefined;
  private readonly entries: Entry[] = [];
  private readonly stopping = new AbortController();
  private readonly report: (line: string) => void;
  private readonly options: Required<Omit<SupervisorOptions, 'report'>>;

  constructor(options: SupervisorOptions = {}) {
    this.report = options.report ?? reportToStderr;
    this.options = {
      maxFastFailures: options.maxFastFailures ?? 5,
      fastFailureMs: options.fastFailureMs ?? 30_000,
      initialBackoffMs: options.initialBackoffMs ?? 500,
      maxBackoffMs: options.maxBackoffMs ?? 15_000,
      outputLines: options.outputLines ?? 10,
    };
    this.gaveUp = new Promise((resolve) => {
      this.giveUp = resolve;
    });
  }

  /** Watches a started child: from now on it is restarted when it dies, until {@link stop}. */
  supervise(service: SupervisedService, started: ManagedProcess): void {
    const entry: Entry = { service, process: started, restarts: 0, fastFailures: 0 };
    this.entries.push(entry);
    this.watch(entry);
  }

  /** The child running now under this name. */
  current(name: string): ManagedProcess {
    const entry = this.entries.find((e) => e.service.name === name);
    if (!entry) throw new Error(`no supervised process named ${name}`);
    return entry.process;
  }

  /** How many times the child under this name was restarted. */
  restarts(name: string): number {
    return this.entries.find((e) => e.service.name === name)?.restarts ?? 0;
  }

  /** Stops restarting, then stops every child, the last supervised first. */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const entry of [...this.entries].reverse()) await entry.process.stop();
  }

  private watch(entry: Entry): void {
    const watched = entry.process;
    void watched.drained().then(() => {
      if (this.stopping.signal.aborted || entry.process !== watched) return;
      const output = watched.recentOutput(this.options.outputLines);
      const ranMs = Date.now() - watched.startedAt;
      this.report(`${entry.service.name} (pid ${watched.pid}) died: ${watched.exitDescription() ?? 'exited'} after ${(ranMs / 1000).toFixed(1)} s`);
      if (output) this.report(`  its last output:\n${indent(output)}`);
      void this.restart(entry, ranMs < this.options.fastFailureMs);
    });
  }

  /** Starts the child again after a backoff; gives up after too many fast failures in a row. */
  private async restart(entry: Entry, failedFast: boolean): Promise<void> {
    const { name } = entry.service;
    entry.fastFailures = failedFast ? entry.fastFailures + 1 : 0;
    while (!this.stopping.signal.aborted) {
      if (entry.fastFailures >= this.options.maxFastFailures) {
        const reason = new Error(
          `${name} failed ${entry.fastFailures} times in a row within ${this.options.fastFailureMs / 1000} s of starting: giving up (see its log)`,
        );
        this.report(reason.message);
        await this.stop();
        this.giveUp(reason);
        return;
      }
      const backoffMs = Math.min(this.options.initialBackoffMs * 2 ** Math.max(0, entry.fastFailures - 1), this.options.maxBackoffMs);
      this.report(`restarting ${name} in ${(backoffMs / 1000).toFixed(1)} s`);
      await sleep(backoffMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      if (this.stopping.signal.aborted) return;
      try {
        entry.process = await entry.service.start();
      } catch (error) {
        entry.fastFailures++;
        this.report(`${name} did not start again: ${(error as Error).message.split('\n').slice(0, this.options.outputLines).join('\n')}`);
        continue;
      }
      if (this.stopping.signal.aborted) {
        await entry.process.stop();
        return;
      }
      entry.restarts++;
      this.report(`${name} restarted (pid ${entry.process.pid})`);
      this.watch(entry);
      return;
    }
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
