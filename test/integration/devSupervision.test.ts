/**
 * `modelship dev` as users run it, on free ports: a worker or gateway killed with SIGKILL is
 * reported and restarted (a deployment still promotes, the gateway serves again), and SIGTERM
 * stops dev and every process it started.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../cli/dev/ports';
import { PACKAGE_ROOT } from '../../cli/dev/projectPaths';
import { startTraffic } from '../../cli/trafficGenerator';
import { ModelshipClient } from '../../sdk/client';
import { alive } from '../support/processAlive';
import { modelPath, tempDir, testEnv } from '../support/testEnv';

let dev: ChildProcess;
let output = '';
let client: ModelshipClient;
let gatewayUrl: string;
/** Every process dev started, by pid, as seen while it ran. */
const seen = new Set<number>();

/** Resolves once dev's output (stdout and stderr together) matches `pattern`, with the match. */
function outputMatches(pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const match = pattern.exec(output);
      if (match) resolve(match);
      return match !== null;
    };
    if (check()) return;
    const onData = (): void => {
      if (!check()) return;
      dev.stdout?.off('data', onData);
      dev.stderr?.off('data', onData);
    };
    dev.stdout?.on('data', onData);
    dev.stderr?.on('data', onData);
    dev.once('exit', (code) => reject(new Error(`dev exited (${code}) before printing ${pattern}:\n${output}`)));
  });
}

/** The processes dev runs now: `{ worker, gateway, temporal }` pids. */
function children(): Record<'worker' | 'gateway' | 'temporal', number> {
  const lines = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(dev.pid)], { encoding: 'utf8' })
    .trim()
    .split('\n');
  const pidOf = (needle: string): number => {
    const line = lines.find((l) => l.includes(needle));
    if (!line) throw new Error(`no child of dev runs ${needle}:\n${lines.join('\n')}`);
    const pid = Number.parseInt(line.trim(), 10);
    seen.add(pid);
    return pid;
  };
  return { worker: pidOf('workers/cpu.ts'), gateway: pidOf(' serve '), temporal: pidOf('start-dev') };
}

beforeAll(async () => {
  const [port, uiPort, gatewayPort, grpcPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const stateDir = await tempDir('dev');
  gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const args = ['dev', '--port', port, '--ui-port', uiPort, '--gateway-port', gatewayPort, '--grpc-port', grpcPort, '--state-dir', stateDir].map(String);
  dev = spawn(path.join(PACKAGE_ROOT, 'bin', 'modelship'), args, {
    env: { ...process.env, MODELSHIP_WORKFLOW_BUNDLE: testEnv('workflowBundle'), MODELSHIP_ACTIVITY_CONCURRENCY: '2' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  dev.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  dev.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await outputMatches(/press Ctrl-C to stop/);
  children();
  client = await ModelshipClient.connect({ address: `127.0.0.1:${port}`, store: path.join(stateDir, 'store') });
});

afterAll(async () => {
  await client?.close();
  if (dev?.exitCode === null) dev.kill('SIGKILL');
  for (const pid of seen) if (alive(pid)) process.kill(-pid, 'SIGKILL');
});

test('a worker killed with SIGKILL is reported and restarted, and a deployment still promotes', async () => {
  const { worker } = children();
  process.kill(worker, 'SIGKILL');
  await outputMatches(new RegExp(`\\[dev\\] worker \\(pid ${worker}\\) died: signal SIGKILL after`));
  await outputMatches(/\[dev\] worker restarted \(pid \d+\)/);
  expect(children().worker).not.toBe(worker);
  const deployment = await client.deploy({
    endpoint: 'dev-supervised',
    version: 'v1',
    model: { source: `file://${modelPath('classifier')}` },
    stages: { optimize: { enabled: false }, benchmark: { enabled: false } },
  });
  expect((await deployment.result()).outcome).toBe('promoted');
});

test('a gateway killed with SIGKILL is reported and restarted, and serves again', async () => {
  const { gateway } = children();
  process.kill(gateway, 'SIGKILL');
  await outputMatches(new RegExp(`\\[dev\\] gateway \\(pid ${gateway}\\) died: signal SIGKILL after`));
  await outputMatches(/\[dev\] gateway restarted \(pid \d+\)/);
  // The new replica loads what the store routes to, then answers.
  for (let i = 0; i < 600 && (await fetch(`${gatewayUrl}/v2/models/dev-supervised/ready`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
  const traffic = await startTraffic({ gateway: gatewayUrl, endpoint: 'dev-supervised', requests: 5, concurrency: 1, durationMs: 60_000 }).done;
  expect(traffic).toMatchObject({ issued: 5, failures: 0, served: { v1: 5 } });
});

test('SIGTERM stops dev and every process it started', async () => {
  children();
  const exited = new Promise<number | null>((resolve) => dev.once('exit', resolve));
  dev.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(output).toContain('SIGTERM: stopping…');
  for (const pid of seen) {
    expect({ pid, alive: alive(pid) }).toEqual({ pid, alive: false });
    expect({ group: pid, alive: alive(-pid) }).toEqual({ group: pid, alive: false });
  }
});
