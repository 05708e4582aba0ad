/**
 * `modelship/testing` as a user's test uses it: `ModelshipTestEnvironment.create()` with no options
 * (free ports, a temporary store, a connected client) deploys the example classifier to promotion
 * and serves it; `teardown()` stops everything and removes its folder. A test process killed with
 * SIGKILL leaves nothing running (the watchdog stops its processes), and a taken port is named by
 * the option that chose it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PortInUseError } from '../../sdk/errors';
import { PACKAGE_ROOT } from '../../cli/dev/projectPaths';
import { ModelshipTestEnvironment } from '../../testing';
import { alive, untilGone } from '../support/processAlive';
import { modelPath } from '../support/testEnv';

test('create() with no options: a connected client deploys to promotion, the gateway serves it, teardown() leaves nothing', async () => {
  const env = await ModelshipTestEnvironment.create();
  const { server, worker, gateway } = env.environment;
  const pids = [server.process.pid, worker.pid, gateway.pid].filter((pid): pid is number => pid !== undefined);
  try {
    const deployment = await env.client.deploy({
      endpoint: 'helper-classifier',
      version: 'v1',
      model: { source: `file://${modelPath('classifier')}`, format: 'onnx', task: 'classifier' },
      stages: { benchmark: { windowRuns: 20, budget: '5s' } },
      rollout: { strategy: 'direct', timeout: '60s' },
    });
    expect((await deployment.result()).outcome).toBe('promoted');
    const ready = await fetch(`${env.gatewayUrl}/v2/models/helper-classifier/ready`);
    expect(ready.status).toBe(200);
  } finally {
    await env.teardown();
  }
  expect(await untilGone(pids)).toEqual([]);
  expect(existsSync(env.stateDir)).toBe(false);
  await env.teardown(); // a second teardown is harmless
});

test('a test process killed with SIGKILL leaves none of its environment running', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PACKAGE_ROOT, 'test/support/testEnvironmentChild.ts')], {
    cwd: PACKAGE_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (d: Buffer) => (errors += d.toString()));
  const started = await new Promise<{ pids: number[] }>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('{')) resolve(JSON.parse(line) as { pids: number[] });
    });
    child.once('exit', (code) => reject(new Error(`the test process exited (${code}) before its environment was up:\n${errors}`)));
  });
  expect(started.pids).toHaveLength(3);
  expect(started.pids.every(alive)).toBe(true);
  child.kill('SIGKILL');
  expect(await untilGone(started.pids)).toEqual([]);
});

test('a taken port is refused in library terms: the option that chose it', async () => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as net.AddressInfo;
  try {
    const refusal = ModelshipTestEnvironment.create({ gatewayPort: port });
    await expect(refusal).rejects.toBeInstanceOf(PortInUseError);
    await expect(refusal).rejects.toMatchObject({ port, option: 'gatewayPort' });
    await expect(refusal).rejects.toThrow(/choose another gatewayPort$/);
    await expect(refusal).rejects.not.toThrow(/--/);
  } finally {
    taken.close();
  }
});
