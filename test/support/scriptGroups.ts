/**
 * Bash scripts run by tests in their own process groups: each group is ended when its script exits
 * (with whatever it left in the background), and {@link endScriptGroups} (from `afterAll`) ends the
 * groups of scripts still running when a test timed out, so nothing outlives the test file.
 */
import { spawn } from 'node:child_process';

const running = new Set<number>();

function endGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Runs `bash args…` in a process group of its own; resolves with its exit code and output once it exits. */
export function runBash(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid as number;
    running.add(pid);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => {
      running.delete(pid);
      endGroup(pid, 'SIGTERM'); // anything the script's own clean-up left
      resolve({ code: code ?? 1, output });
    });
  });
}

/** Ends (SIGKILL) the process group of every script still running. */
export function endScriptGroups(): void {
  for (const pid of running) endGroup(pid, 'SIGKILL');
  running.clear();
}
