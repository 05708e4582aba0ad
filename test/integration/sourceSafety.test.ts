/**
 * Hostile sources over the real stack (Temporal dev server, a CPU worker and a gateway as processes,
 * a filesystem store): a device, a FIFO, a file outside the worker's folders, a link escaping them
 * and an over-cap file are refused at ingest with the reason, leaving nothing in the store and the
 * worker's memory where it was; a missing or unsupported source is refused by `modelship deploy`
 * before anything starts (exit 1); `modelship gc` collects what a rejected deployment left and never
 * a promoted version's artifacts; a corrupt model is quarantined and the next deployment rebuilds it.
 */
import { execFileSync } from 'node:child_process';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../../cli/dev/projectPaths';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { ModelshipClient } from '../../sdk/client';
import type { DeploymentResult, PipelineSpecInput } from '../../sdk/schemas';
import { FsArtifactStore, storeKeys } from '../../store';
import { inferHttp } from '../support/inference';
import { modelPath, runCli, startGatewayProcess, startWorkerProcess, tempDir, testEnv } from '../support/testEnv';

let storeDir: string;
let store: FsArtifactStore;
let files: string;
let worker: ManagedProcess;
let gateway: { process: ManagedProcess; url: string };
let client: ModelshipClient;

beforeAll(async () => {
  storeDir = await tempDir('store-sources');
  store = new FsArtifactStore(storeDir);
  files = await tempDir('hostile-sources');
  // The run's folder, the project, and /dev: so that /dev/zero is refused for what it is (a device), not only for where it is.
  const roots = [testEnv('workDir'), PACKAGE_ROOT, '/dev'].join(':');
  [worker, gateway] = await Promise.all([startWorkerProcess(storeDir, { MODELSHIP_SOURCE_ROOTS: roots }), startGatewayProcess(storeDir)]);
  client = await ModelshipClient.connect({ address: testEnv('temporalAddress'), store: storeDir });
});

afterAll(async () => {
  await client?.close();
  await Promise.all([worker?.stop(), gateway?.process.stop()]);
});

function spec(endpoint: string, version: string, source: string, model: Partial<PipelineSpecInput['model']> = {}): PipelineSpecInput {
  return {
    endpoint,
    version,
    model: { source, ...model },
    stages: { optimize: { enabled: false }, benchmark: { windowRuns: 5, budget: '1s' } },
    rollout: { strategy: 'direct', timeout: '30s' },
  };
}

/** Deploys a source that must be refused at ingest; returns the failure message. */
async function refusedAtIngest(version: string, source: string, model: Partial<PipelineSpecInput['model']> = {}): Promise<string> {
  const result: DeploymentResult = await (await client.deployDirect(spec('hostile', version, source, model))).result();
  expect(result.outcome).toBe('rejected');
  expect(result.failure).toMatchObject({ type: 'ModelSourceUnreadable', stage: 'ingest' });
  return result.failure?.message ?? '';
}

/** Resident memory of the worker process, in bytes. */
async function workerRss(): Promise<number> {
  const status = await readFile(`/proc/${worker.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

test('/dev/zero is refused as a device without reading it: the worker does not grow', async () => {
  const before = await workerRss();
  expect(await refusedAtIngest('zero', 'file:///dev/zero')).toBe('cannot read the model source file:///dev/zero: it is a device, not a regular file');
  expect(await workerRss()).toBeLessThan(before + 256 * 1024 * 1024);
});

test('a FIFO is refused without waiting for a writer', async () => {
  const fifo = path.join(files, 'model.onnx');
  execFileSync('mkfifo', [fifo]);
  expect(await refusedAtIngest('fifo', pathToFileURL(fifo).href)).toMatch(/it is a FIFO, not a regular file$/);
});

test('/etc/passwd is refused as outside the allowed folders, naming them and the variable, and nothing reaches the store', async () => {
  const before = await store.list('sources/');
  const message = await refusedAtIngest('passwd', '/etc/passwd');
  expect(message).toContain('model source /etc/passwd is outside the folders this worker reads sources from (');
  expect(message).toContain('add its folder to MODELSHIP_SOURCE_ROOTS');
  expect(await store.list('sources/')).toEqual(before);
});

test('a link inside an allowed folder that points outside it is refused', async () => {
  const link = path.join(files, 'innocent.onnx');
  await symlink('/etc/passwd', link);
  expect(await refusedAtIngest('link', pathToFileURL(link).href)).toContain('(resolves to /etc/passwd) is outside the folders');
});

test('a source over model.maxSourceBytes is refused before it is read', async () => {
  const message = await refusedAtIngest('cap', pathToFileURL(modelPath('classifier')).href, { maxSourceBytes: 100 });
  expect(message).toMatch(/is \d+ bytes, over the limit of 100 bytes \(model.maxSourceBytes, or the worker's MODELSHIP_MAX_SOURCE_BYTES\)$/);
});

test('modelship deploy refuses a missing source or an unsupported URI before starting anything (exit 1)', async () => {
  await writeFile(path.join(files, 'missing.json'), JSON.stringify({ endpoint: 'hostile-cli', version: 'v1', model: { source: './nowhere.onnx' } }));
  const missing = await runCli(['deploy', path.join(files, 'missing.json'), '--wait'], { storeUri: storeDir });
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain(`model.source: ${path.join(files, 'nowhere.onnx')} does not exist`);

  await writeFile(path.join(files, 'http.json'), JSON.stringify({ endpoint: 'hostile-cli', version: 'v1', model: { source: 'https://example.com/m.onnx' } }));
  const http = await runCli(['deploy', path.join(files, 'http.json')], { storeUri: storeDir });
  expect(http.code).toBe(1);
  expect(http.stderr).toContain('model.source: unsupported location: use a path, a file:// URI or an s3://bucket/key URI');
  // Nothing started: the endpoint has no workflow.
  await expect(client.endpoint('hostile-cli').status()).rejects.toThrow();
});

test("modelship gc collects a rejected deployment's source after the grace period, never a promoted version's artifacts", async () => {
  const promoted = await (await client.deploy(spec('collected', 'v1', pathToFileURL(modelPath('classifier')).href))).result();
  expect(promoted.outcome).toBe('promoted');
  const rejected = await (await client.deploy(spec('collected', 'v2', pathToFileURL(modelPath('corrupt')).href))).result();
  expect(rejected.outcome).toBe('rejected');
  const rejectedSource = rejected.source?.key as string;
  expect(await store.exists(rejectedSource)).toBe(true);

  const young = await runCli(['gc', '--grace', '1h', '--store', storeDir], { storeUri: storeDir });
  expect(young.code).toBe(0);
  expect(young.stdout).toMatch(/deleted 0 unreferenced artifact\(s\)/);
  expect(await store.exists(rejectedSource)).toBe(true);

  const dry = await runCli(['gc', '--grace', '0ms', '--dry-run', '--store', storeDir], { storeUri: storeDir });
  expect(dry.stdout).toContain(`would delete ${rejectedSource}`);
  expect(await store.exists(rejectedSource)).toBe(true);

  const collected = await runCli(['gc', '--grace', '0ms', '--store', storeDir], { storeUri: storeDir });
  expect(collected.code).toBe(0);
  expect(collected.stdout).toContain(`deleted ${rejectedSource}`);
  expect(await store.exists(rejectedSource)).toBe(false);
  const kept = [
    promoted.source?.key as string,
    storeKeys.model(promoted.artifact?.digest as string),
    storeKeys.modelMetadata(promoted.artifact?.digest as string),
    storeKeys.tensorBundle(promoted.conversion?.goldenDigest as string),
    storeKeys.tensorBundle(promoted.conversion?.referenceDigest as string),
  ];
  for (const key of kept) expect(await store.exists(key)).toBe(true);
  const { status } = await inferHttp(gateway.url, 'collected', [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }]);
  expect(status).toBe(200);
});

test('a corrupt model in the store is quarantined with what to do, and the next deployment rebuilds it', async () => {
  const source = pathToFileURL(modelPath('classifier')).href;
  const first = await (await client.deploy(spec('quarantined', 'v1', source))).result();
  expect(first.outcome).toBe('promoted');
  const key = storeKeys.model(first.artifact?.digest as string);
  await store.put(key, Buffer.from('bit rot'));

  const damaged = await (await client.deploy(spec('quarantined', 'v2', source))).result();
  expect(damaged.failure?.type).toBe('ArtifactCorrupt');
  expect(damaged.failure?.message).toContain(`moved to quarantine/${key} and never reused: deploy again`);
  expect(await store.exists(`quarantine/${key}`)).toBe(true);

  const rebuilt = await (await client.deploy(spec('quarantined', 'v3', source))).result();
  expect(rebuilt.outcome).toBe('promoted');
  expect(rebuilt.artifact?.digest).toBe(first.artifact?.digest);
  expect(await readFile(path.join(storeDir, key))).toEqual(await readFile(modelPath('classifier')));
});
