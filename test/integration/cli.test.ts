/**
 * `modelship deploy … --wait` as CI runs it: a child process against the real dev server, with the
 * exit codes of ARCHITECTURE.md (0 promoted, 3 rejected, 1 error).
 */
import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../cli/dev/projectPaths';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { ModelshipClient } from '../../sdk/client';
import { modelPath, runCli, startGatewayProcess, startWorkerProcess, tempDir, testEnv } from '../support/testEnv';

let worker: ManagedProcess;
let gateway: { process: ManagedProcess; url: string };
let secondGateway: { process: ManagedProcess; url: string };
let storeDir: string;
let specDir: string;

beforeAll(async () => {
  storeDir = await tempDir('store-cli');
  specDir = await tempDir('specs');
  await copyFile(modelPath('classifier'), path.join(specDir, 'model.onnx'));
  await copyFile(modelPath('corrupt'), path.join(specDir, 'corrupt.onnx'));
  [worker, gateway, secondGateway] = await Promise.all([startWorkerProcess(storeDir), startGatewayProcess(storeDir), startGatewayProcess(storeDir)]);
});

afterAll(async () => {
  await Promise.all([worker?.stop(), gateway?.process.stop(), secondGateway?.process.stop()]);
});

function modelship(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(args, { storeUri: storeDir, cwd: specDir });
}

test('deploy --wait of a good model exits 0 and prints the stages and outcome', async () => {
  await writeFile(
    path.join(specDir, 'good.yaml'),
    'endpoint: cli-demo\nversion: v1\nmodel:\n  source: ./model.onnx\nstages:\n  optimize:\n    enabled: false\n  benchmark:\n    windowRuns: 5\n    budget: 1s\n',
  );
  const { code, stdout } = await modelship(['deploy', 'good.yaml', '--wait']);
  expect(code).toBe(0);
  expect(stdout).toContain('workflow  deploy/cli-demo/v1');
  expect(stdout).toMatch(/✓ validate/);
  // Two gateway replicas run in this file (the traffic test spreads over both): each applied the release.
  expect(stdout).toMatch(/✓ release +fp32 \([0-9a-f]{12}\): generation 1 applied by 2 replica/);
  expect(stdout).toContain('promoted: cli-demo now serves v1');
  const response = await fetch(`${gateway.url}/v2/models/cli-demo/ready`);
  expect(response.status).toBe(200);
});

test('deploy --wait of a corrupt model exits 3 with the reason', async () => {
  await writeFile(path.join(specDir, 'bad.json'), JSON.stringify({ endpoint: 'cli-demo', version: 'v2', model: { source: './corrupt.onnx' } }));
  const { code, stdout } = await modelship(['deploy', 'bad.json', '--wait']);
  expect(code).toBe(3);
  expect(stdout).toMatch(/rejected at convert: ModelUnloadable: not a valid ONNX model/);
});

test('a TS module spec with --version and --json works', async () => {
  await writeFile(
    path.join(specDir, 'pipeline.ts'),
    `import { definePipeline } from '${path.join(PACKAGE_ROOT, 'sdk')}';\n` +
      `export default definePipeline({ endpoint: 'cli-ts', version: 'v0', model: { source: './model.onnx' }, stages: { optimize: { enabled: false }, benchmark: { enabled: false } } });\n`,
  );
  const { code, stdout } = await modelship(['deploy', 'pipeline.ts', '--version', 'v5', '--wait', '--json']);
  expect(code).toBe(0);
  const result = JSON.parse(stdout);
  expect(result).toMatchObject({ outcome: 'promoted', endpoint: 'cli-ts', version: 'v5' });
  expect(result.stages[4]).toMatchObject({ name: 'benchmark', status: 'skipped' });
});

test('an invalid spec exits 1 naming each problem, without starting anything', async () => {
  await writeFile(path.join(specDir, 'invalid.yaml'), 'endpoint: Bad Name\nversion: v1\nmodel: {}\nrollout:\n  timeout: soon\n');
  const { code, stderr } = await modelship(['deploy', 'invalid.yaml', '--wait']);
  expect(code).toBe(1);
  expect(stderr).toContain('invalid pipeline spec invalid.yaml');
  expect(stderr).toMatch(/- endpoint: must be a DNS label/);
  expect(stderr).toMatch(/- model.source:/);
});

test('an unreachable server exits 1 with what to do', async () => {
  await writeFile(path.join(specDir, 'ok.yaml'), 'endpoint: x\nversion: v1\nmodel:\n  source: ./model.onnx\n');
  const { code, stderr } = await modelship(['deploy', 'ok.yaml', '--address', '127.0.0.1:1']);
  expect(code).toBe(1);
  expect(stderr).toMatch(/cannot reach Temporal at 127.0.0.1:1/);
  expect(stderr).toMatch(/modelship dev/);
});

test('status shows a finished deployment', async () => {
  const { code, stdout } = await modelship(['status', 'cli-demo/v2']);
  expect(code).toBe(0);
  expect(stdout).toContain('deploy/cli-demo/v2: Rejected');
});

test('traffic --duration alone runs for its whole duration at its rate, round-robin over several --gateway', async () => {
  const { code, stdout, stderr } = await modelship([
    'traffic',
    'cli-demo',
    '--duration',
    '2',
    '--rate',
    '20',
    '--gateway',
    gateway.url,
    '--gateway',
    secondGateway.url,
  ]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const [, issued, seconds] = /^(\d+) request\(s\) in ([\d.]+) s/.exec(stdout) ?? [];
  expect(Number(seconds)).toBeGreaterThanOrEqual(2); // it ran for its duration: no request count stopped it
  expect(Number(issued)).toBeLessThanOrEqual(2 * 20 + 1); // paced at 20/s
  const perGateway = JSON.parse(/per gateway: (\{.*\})/.exec(stdout)?.[1] ?? '{}') as Record<string, number>;
  const [first, second] = [perGateway[gateway.url] ?? 0, perGateway[secondGateway.url] ?? 0];
  expect(first + second).toBe(Number(issued));
  expect(Math.abs(first - second)).toBeLessThanOrEqual(1);
  expect(stdout).toMatch(/0 failed; answers: \{"v1":\d+\}/);
});

describe('without a worker', () => {
  let client: ModelshipClient;
  beforeAll(async () => {
    await worker.stop();
    client = await ModelshipClient.connect({ address: testEnv('temporalAddress'), store: storeDir });
  });
  afterAll(() => client?.close());

  const NOT_LIVE = /no worker (is polling the modelship task queue|answered within 1\.0 s)/;

  test('status and history answer from the recorded state, saying it may be stale', async () => {
    const status = await modelship(['status', 'cli-demo']);
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^endpoint cli-demo: Idle\n {2}stable {5}v1 \([0-9a-f]{12}, since/);
    expect(status.stdout).toMatch(NOT_LIVE);
    expect(status.stdout).toContain('showing the last recorded state recorded at 20');
    const json = JSON.parse((await modelship(['status', 'cli-demo', '--json'])).stdout);
    expect(json).toMatchObject({ endpoint: 'cli-demo', live: false, stable: { version: 'v1' }, reason: expect.stringMatching(NOT_LIVE) });

    const history = await modelship(['history', 'cli-demo']);
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/promoted +v1 /);
    expect(history.stdout).toMatch(/rejected +v2 /);
    expect(history.stdout).toMatch(NOT_LIVE);

    // A finished deployment's result is on the server: shown whole.
    const finished = await modelship(['status', 'cli-demo/v2']);
    expect(finished.stdout).toContain('deploy/cli-demo/v2: Rejected');
  });

  test('a running deployment no worker has picked up shows its recorded phase, and an unknown one is one line', async () => {
    const spec = { endpoint: 'cli-idle', version: 'v9', model: { source: `file://${path.join(specDir, 'model.onnx')}` } };
    const deployment = await client.deployDirect(spec);
    try {
      const { code, stdout, stderr } = await modelship(['status', 'cli-idle/v9']);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toMatch(/^deploy\/cli-idle\/v9: Pending \(workflow running\)\n/);
      expect(stdout).toMatch(NOT_LIVE);
    } finally {
      await client.temporal.workflow.getHandle(deployment.workflowId).terminate('test cleanup');
    }
    const missing = await modelship(['status', 'cli-nothing']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: endpoint cli-nothing has no endpoint workflow/);
    expect(missing.stderr).not.toMatch(/^\s+at /m);
  });
});
