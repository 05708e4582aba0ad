/**
 * A CI runner and the workers share nothing but Temporal and the store. The worker runs in its own
 * folder and reads `file://` sources only from there (`MODELSHIP_SOURCE_ROOTS`); the deployments
 * come from another folder holding the models, by `modelship deploy` (a spec with a relative path)
 * and by `client.deploy()` (relative to `baseDir`), which upload them to the S3 store (SeaweedFS)
 * first. Two gateway replicas: a canary under paced traffic to both is promoted, an operator's
 * rollback returns both to the previous version, and a canary whose answers differ is rolled back.
 */
import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { ModelshipClient } from '../../sdk/client';
import type { PipelineSpecInput } from '../../sdk/schemas';
import { inferHttp } from '../support/inference';
import { startPacedTraffic, type PacedResult } from '../support/pacedTraffic';
import { clientStore, versionedStore, type VersionedStore } from '../support/routingHistory';
import { modelPath, runCli, startGatewayProcess, startWorkerProcess, tempDir, testEnv } from '../support/testEnv';
import { sameModelAnalysis } from '../support/classifierSpec';

const ENDPOINT = 'apart';
let ciDir: string;
let store: VersionedStore;
let worker: ManagedProcess;
let replicas: { process: ManagedProcess; url: string }[];
let client: ModelshipClient;

beforeAll(async () => {
  const workerDir = await tempDir('worker-home');
  ciDir = await tempDir('ci-home');
  store = await versionedStore(testEnv('s3Endpoint'), 'apart');
  await Promise.all([
    copyFile(modelPath('classifier'), path.join(ciDir, 'classifier.onnx')),
    copyFile(modelPath('classifier_perturbed'), path.join(ciDir, 'perturbed.onnx')),
  ]);
  [worker, ...replicas] = await Promise.all([
    startWorkerProcess(store.uri, { ...store.env, MODELSHIP_SOURCE_ROOTS: workerDir }, { cwd: workerDir }),
    startGatewayProcess(store.uri, { replicaId: 'apart-a', env: store.env }),
    startGatewayProcess(store.uri, { replicaId: 'apart-b', env: store.env }),
  ]);
  // The client's store comes from the settings a worker's does: here, the same S3 bucket.
  client = await ModelshipClient.connect({ address: testEnv('temporalAddress'), store: clientStore(store) });
});

afterAll(async () => {
  await client?.close();
  await Promise.all([worker?.stop(), ...(replicas ?? []).map((r) => r.process.stop())]);
});

function spec(version: string, source: string, rollout: NonNullable<PipelineSpecInput['rollout']>, acceptChange?: string): PipelineSpecInput {
  return {
    endpoint: ENDPOINT,
    version,
    model: { source, task: 'classifier' },
    stages: { optimize: { enabled: false }, benchmark: { enabled: false }, validate: { behaviour: { acceptChange } } },
    rollout: { minReplicas: 2, ...rollout },
  };
}

/** Paced requests to each replica until `body` ends; what each replica answered. */
async function underTraffic<T>(body: () => Promise<T>): Promise<{ value: T; traffic: PacedResult[] }> {
  const loads = replicas.map((r) => startPacedTraffic(r.url, ENDPOINT, 25));
  try {
    return { value: await body(), traffic: await Promise.all(loads.map((l) => l.stop())) };
  } finally {
    await Promise.all(loads.map((l) => l.stop()));
  }
}

async function servedBy(url: string): Promise<string | undefined> {
  return (await inferHttp(url, ENDPOINT, [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }])).body.model_version;
}

test('modelship deploy from the CI folder uploads the model; the worker, which cannot read that folder, promotes it on both replicas', async () => {
  await writeFile(path.join(ciDir, 'pipeline.json'), JSON.stringify(spec('v1', './classifier.onnx', { strategy: 'direct' })));
  const deployed = await runCli(['deploy', 'pipeline.json', '--wait'], { storeUri: store.uri, cwd: ciDir, env: store.env });
  expect(deployed.stdout).toMatch(/promoted: apart now serves v1/);
  expect(deployed.code).toBe(0);
  expect(await Promise.all(replicas.map((r) => servedBy(r.url)))).toEqual(['v1', 'v1']);
  // What the worker would have had to do without the upload: read the CI folder, which it refuses.
  const direct = await (await client.deployDirect(spec('direct', pathToFileURL(path.join(ciDir, 'classifier.onnx')).href, { strategy: 'direct' }))).result();
  expect(direct.failure?.message).toContain('is outside the folders this worker reads sources from');
});

test('client.deploy() with a path relative to baseDir: a canary under paced traffic to both replicas is promoted', async () => {
  const { value: result, traffic } = await underTraffic(async () =>
    (
      await client.deploy(
        spec('v2', 'classifier.onnx', {
          strategy: 'canary',
          watch: { duration: 0 },
          steps: [{ weight: 50, bake: '2s' }],
          analysis: sameModelAnalysis({ minSamples: 30 }),
        }),
        {
          baseDir: ciDir,
        },
      )
    ).result(),
  );
  expect({ outcome: result.outcome, failure: result.failure }).toEqual({ outcome: 'promoted', failure: undefined });
  expect(result.rollout?.steps.map((s) => [s.weight, s.status, s.verdict?.status])).toEqual([[50, 'passed', 'pass']]);
  for (const replica of traffic) {
    expect(replica.failures).toEqual([]);
    expect(Object.keys(replica.served).sort()).toEqual(['v1', 'v2']);
  }
});

test("an operator's rollback returns both replicas to the previous version", async () => {
  expect(await client.endpoint(ENDPOINT).rollback({ by: 'test', reason: 'latency alert' })).toMatch(/v1/);
  expect(await Promise.all(replicas.map((r) => servedBy(r.url)))).toEqual(['v1', 'v1']);
});

test('a canary whose answers differ is rolled back by analysis, with no failed request on either replica', async () => {
  const { value: result, traffic } = await underTraffic(async () =>
    (
      await client.deploy(
        spec(
          'v3',
          'perturbed.onnx',
          {
            strategy: 'canary',
            watch: { duration: 0 },
            shadow: { percent: 100, bake: '2s' },
            steps: [{ weight: 50, bake: '2s' }],
            analysis: { minSamples: 30 },
          },
          'a different model: the canary judges it',
        ),
        { baseDir: ciDir },
      )
    ).result(),
  );
  expect(result.outcome).toBe('rolledBack');
  expect(result.failure).toMatchObject({ type: 'CanaryRegressed', stage: 'release' });
  expect(traffic.flatMap((r) => r.failures)).toEqual([]);
  expect(await Promise.all(replicas.map((r) => servedBy(r.url)))).toEqual(['v1', 'v1']);
});

test('a missing file is refused before anything starts, naming its path', async () => {
  await expect(client.deploy(spec('v4', 'nowhere.onnx', { strategy: 'direct' }), { baseDir: ciDir })).rejects.toThrow(
    `model.source: ${path.join(ciDir, 'nowhere.onnx')} does not exist`,
  );
  const endpoint = await client.endpoint(ENDPOINT).status();
  expect({ active: endpoint.active, queue: endpoint.queue }).toEqual({ active: undefined, queue: [] });
});
