/**
 * Durability: the Temporal dev server is stopped mid-bake and started again on its SQLite file;
 * the canary rollout resumes where it was and is promoted, with live traffic never failing.
 */
import path from 'node:path';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { freePort } from '../../cli/dev/ports';
import { startTemporalDevServer, type DevServer } from '../../cli/dev/temporalDevServer';
import { startTraffic } from '../../cli/trafficGenerator';
import { ModelshipClient } from '../../sdk/client';
import type { PipelineSpecInput } from '../../sdk/schemas';
import { classifierSpec } from '../support/classifierSpec';
import { startGatewayProcess, startWorkerProcess, tempDir } from '../support/testEnv';

let server: DevServer;
let worker: ManagedProcess;
let gateway: { process: ManagedProcess; url: string };
let dbFile: string;
let port: number;
let storeDir: string;

beforeAll(async () => {
  const dir = await tempDir('server-restart');
  dbFile = path.join(dir, 'temporal.db');
  port = await freePort();
  server = await startTemporalDevServer({ port, dbFile });
  const env = { TEMPORAL_ADDRESS: server.address };
  storeDir = path.join(dir, 'store');
  [worker, gateway] = await Promise.all([startWorkerProcess(storeDir, env), startGatewayProcess(storeDir)]);
});

afterAll(async () => {
  await Promise.all([worker?.stop(), gateway?.process.stop()]);
  await server?.stop();
});

function spec(version: string, rollout: PipelineSpecInput['rollout']): PipelineSpecInput {
  return classifierSpec('restart', version, { rollout });
}

test('a rollout survives a dev server restart on its SQLite file mid-bake', async () => {
  let client = await ModelshipClient.connect({ address: server.address, store: storeDir });
  expect((await (await client.deploy(spec('v1', { strategy: 'direct' }))).result()).outcome).toBe('promoted');
  const traffic = startTraffic({ gateway: gateway.url, endpoint: 'restart', requests: 1_000_000, concurrency: 2, durationMs: 120_000 });
  try {
    const deployment = await client.deploy(
      spec('v2', { strategy: 'canary', watch: { duration: 0 }, steps: [{ weight: 50, bake: '8s' }], analysis: { minSamples: 30 } }),
    );
    for (let i = 0; i < 1200; i++) {
      const status = await deployment.status().catch(() => undefined);
      if (status?.rollout?.state === 'baking') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await client.close();
    await server.stop();
    server = await startTemporalDevServer({ port, dbFile });
    client = await ModelshipClient.connect({ address: server.address, store: storeDir });
    const result = await client.deployment('deploy/restart/v2').result();
    expect(result.outcome).toBe('promoted');
    expect(result.rollout?.steps[0]).toMatchObject({ weight: 50, status: 'passed', verdict: { status: 'pass' } });
  } finally {
    const sent = await traffic.stop();
    await client.close();
    expect(sent.failures).toBe(0);
    expect(Object.keys(sent.served).sort()).toEqual(['v1', 'v2']);
  }
});
