/**
 * A server under test in `npm run bench:gateway`: started in its own process group (through
 * `setsid`, so a server's own children, such as tritonserver and its Python backend stubs, go with
 * it), ready once every readiness URL answers 200, and stopped with SIGTERM, then SIGKILL to the
 * whole group. Every started server is registered so an error or a signal still stops it.
 */
import { ManagedProcess } from '../cli/dev/childProcess';
import { PACKAGE_ROOT } from '../cli/dev/projectPaths';

export interface BenchServerOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  readyUrls: string[];
  readyTimeoutMs?: number;
  /** How long SIGTERM gets before the group is killed. */
  graceMs?: number;
}

const running = new Set<BenchServer>();

export class BenchServer {
  private constructor(
    private readonly process: ManagedProcess,
    private readonly graceMs: number,
  ) {}

  static async start(options: BenchServerOptions): Promise<BenchServer> {
    const managed = await ManagedProcess.start({
      name: options.name,
      command: 'setsid',
      args: [options.command, ...options.args],
      env: options.env,
      cwd: options.cwd ?? PACKAGE_ROOT,
    });
    const server = new BenchServer(managed, options.graceMs ?? 10_000);
    running.add(server);
    try {
      await waitReady(managed, options.readyUrls, options.readyTimeoutMs ?? 120_000);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  async stop(): Promise<void> {
    running.delete(this);
    const pid = this.process.pid;
    await this.process.stop(this.graceMs);
    if (pid !== undefined) killGroup(pid);
  }

  /** SIGKILL to the group at once (process exit, where nothing can be awaited). */
  killNow(): void {
    if (this.process.pid !== undefined) killGroup(this.process.pid);
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is gone already
  }
}

async function waitReady(managed: ManagedProcess, urls: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void managed.wait().then(() => (exited = true));
  for (const url of urls) {
    for (;;) {
      const ok = await fetch(url).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (exited) throw new Error(`${managed.name} exited before it was ready:\n${managed.recentOutput()}`);
      if (Date.now() > deadline) throw new Error(`${managed.name} not ready at ${url} within ${timeoutMs} ms:\n${managed.recentOutput()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Stops every server still running (on error or a signal). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

/** Kills every server's group at once, for process exit (no awaiting possible). */
export function killAllServersNow(): void {
  for (const server of running) server.killNow();
}
