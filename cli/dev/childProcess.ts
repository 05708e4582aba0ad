/**
 * Child processes the local environment runs (dev server, workers, gateways): started with their
 * output prefixed, awaited until they say they are ready, stopped with SIGTERM then SIGKILL (with
 * `processGroup`, their whole process group: nothing they started outlives them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';

export interface ManagedProcessOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Lines of output are written here (prefixed with the name); default: discarded. */
  logTo?: 'inherit' | string;
  /** A line matching this means the process is ready. */
  readyPattern?: RegExp;
  readyTimeoutMs?: number;
  /**
   * Run in a process group of its own, signalled as a whole: what the process starts goes with it,
   * and a terminal's Ctrl-C reaches only the parent, which stops it in order.
   */
  processGroup?: boolean;
  /**
   * Called with the pid as soon as the process has started, before it is ready (the environment's
   * watchdog learns of it here); what it returns is called when the process exits (the watchdog forgets it).
   */
  onSpawn?: (pid: number) => (() => void) | undefined;
}

export class ManagedProcess {
  private exited: Promise<number | null>;
  private output: string[] = [];
  private logFile: WriteStream | undefined;
  private readonly lines = new EventEmitter();

  /** When it was started (ms since the epoch). */
  readonly startedAt = Date.now();

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    logTo: ManagedProcessOptions['logTo'],
    private readonly processGroup = false,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
    if (logTo && logTo !== 'inherit') this.logFile = createWriteStream(logTo, { flags: 'a' });
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        this.output.push(line);
        if (this.output.length > 200) this.output.shift();
        this.lines.emit('line', line);
        if (logTo === 'inherit') process.stderr.write(`[${name}] ${line}\n`);
        else this.logFile?.write(`${line}\n`);
      });
    }
  }

  static async start(options: ManagedProcessOptions): Promise<ManagedProcess> {
    const child = spawn(options.command, options.args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.processGroup ?? false,
    });
    const managed = new ManagedProcess(options.name, child, options.logTo, options.processGroup);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => {
        const exited = child.pid === undefined ? undefined : options.onSpawn?.(child.pid);
        if (exited) child.once('exit', exited);
        resolve();
      });
      child.once('error', (error) => reject(new Error(`cannot start ${options.name} (${options.command}): ${error.message}`)));
    });
    if (options.readyPattern) {
      try {
        await managed.waitFor(options.readyPattern, options.readyTimeoutMs ?? 60_000);
      } catch (error) {
        await managed.stop(); // not ready in time: nothing is left running
        throw error;
      }
    }
    return managed;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last lines the process printed, for error messages. */
  recentOutput(lines = 30): string {
    return this.output.slice(-lines).join('\n');
  }

  /** Resolves when a line matching `pattern` appears (including lines already seen). */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void> {
    if (this.output.some((l) => pattern.test(l))) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onLine = (line: string): void => {
        if (pattern.test(line)) finish();
      };
      this.lines.on('line', onLine);
      const timer = setTimeout(() => fail(new Error(`${this.name} did not become ready within ${timeoutMs} ms:\n${this.recentOutput()}`)), timeoutMs);
      void this.exited.then((code) => fail(new Error(`${this.name} exited (${code}) before becoming ready:\n${this.recentOutput()}`)));
      let settled = false;
      const cleanup = (): void => {
        settled = true;
        clearTimeout(timer);
        this.lines.off('line', onLine);
      };
      function finish(): void {
        if (settled) return;
        cleanup();
        resolve();
      }
      function fail(error: Error): void {
        if (settled) return;
        cleanup();
        reject(error);
      }
    });
  }

  /** Resolves once the process has exited and its output has been read to the end (or a moment after it exited, if something it started holds its output open). */
  async drained(graceMs = 500): Promise<void> {
    await this.exited;
    if (this.child.stdout?.readableEnded !== false && this.child.stderr?.readableEnded !== false) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      this.child.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Exit code once the process has ended. */
  wait(): Promise<number | null> {
    return this.exited;
  }

  /** How it ended (`exit code 1`, `signal SIGKILL`), or `undefined` while it runs. */
  exitDescription(): string | undefined {
    if (this.child.signalCode !== null) return `signal ${this.child.signalCode}`;
    if (this.child.exitCode !== null) return `exit code ${this.child.exitCode}`;
    return undefined;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. Resolves once the process (and, with `processGroup`, its group) is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      this.signal('SIGKILL'); // what it started, if anything outlived it
      return this.closeLog();
    }
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    this.signal('SIGKILL');
    await this.closeLog();
  }

  /** SIGKILL at once: a crash, for durability tests. */
  async kill(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
    await this.closeLog();
  }

  /** Signals the process, or with `processGroup` its whole group (once the process has exited, only what is left of the group). */
  private signal(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (this.processGroup && pid !== undefined) {
      try {
        process.kill(-pid, signal);
      } catch {
        // the group is gone
      }
    } else if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill(signal);
    }
  }

  private closeLog(): Promise<void> {
    const file = this.logFile;
    this.logFile = undefined;
    return new Promise((resolve) => (file ? file.end(resolve) : resolve()));
  }
}
