/**
 * `modelship deploy … --wait` as CI runs it: a child process against the real dev server, with the
 * exit codes of ARCHITECTURE.md (0 promoted, 3 rejected, 1 error).
 */
import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../cli/dev/projectPaths';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { modelPath, runCli, startGatewayProcess, startWorkerProcess, tempDir } from '../support/testEnv';

let worker: ManagedProcess;
let gateway: { process: ManagedProcess; url: string };
let storeDir: string;
let specDir: string;

beforeAll(async () => {
  storeDir = await tempDir('store-cli');
  specDir = await tempDir('specs');
  await copyFile(modelPath('classifier'), path.join(specDir, 'model.onnx'));
  await copyFile(modelPath('corrupt'), path.join(specDir, 'corrupt.onnx'));
  [worker, gateway] = await Promise.all([startWorkerProcess(storeDir), startGatewayProcess(storeDir)]);
});

afterAll(async () => {
  await Promise.all([worker?.stop(), gateway?.process.stop()]);
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
  expect(stdout).toMatch(/✓ release +fp32 \([0-9a-f]{12}\): generation 1 applied by 1 replica/);
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
