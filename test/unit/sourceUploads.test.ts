/**
 * Sources travel with the deployment: the client resolves a spec's relative paths against its base
 * folder, uploads each local file once to a real filesystem store (content-addressed, skipped when
 * there), and hands the workflow `store:` references; a missing, special or oversized file is an
 * `InvalidSpecError` naming its spec path, with nothing uploaded. The worker reads the reference back,
 * verified, from its own store, and refuses one its store does not hold.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readSource } from '../../activities/ingest/readSource';
import { uploadSpecSources, type SourceUploadContext } from '../../sdk/client/sourceUploads';
import { InvalidSpecError } from '../../sdk/errors';
import { isLocalLocation, parseOrThrow, pipelineSpec, sourceLocation, uploadedSourceKey, type PipelineSpec, type PipelineSpecInput } from '../../sdk/schemas';
import { FsArtifactStore, putSourceFile, sha256Hex } from '../../store';

let dir: string;
let ci: string;
let store: FsArtifactStore;
const MODEL = Buffer.alloc(2_000, 3);
const SAMPLES = Buffer.from('samples.npz bytes');

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'modelship-uploads-'));
  ci = path.join(dir, 'ci');
  await mkdir(path.join(ci, 'data'), { recursive: true });
  await writeFile(path.join(ci, 'model.ONNX'), MODEL);
  await writeFile(path.join(ci, 'data', 'samples.npz'), SAMPLES);
  execFileSync('mkfifo', [path.join(ci, 'pipe.onnx')]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  store = new FsArtifactStore(await mkdtemp(path.join(dir, 'store-')));
});

function spec(model: Partial<PipelineSpecInput['model']>, rest: Partial<PipelineSpecInput> = {}): PipelineSpec {
  return parseOrThrow(pipelineSpec, { endpoint: 'uploads', version: 'v1', model: { source: './model.ONNX', ...model }, ...rest }, 'test spec');
}

function context(overrides: Partial<SourceUploadContext> = {}): SourceUploadContext {
  return {
    baseDir: ci,
    upload: async (file) => (await putSourceFile(store, file)).key,
    limits: { maxModelBytes: 1_000_000, maxDataBytes: 1_000 },
    specName: 'uploads spec',
    ...overrides,
  };
}

test('local files are uploaded once, content-addressed, and the spec names them by store: reference', async () => {
  const input = spec(
    { profile: { inputs: {}, samples: 'data/samples.npz' } },
    {
      stages: {
        convert: { golden: { source: pathToFileURL(path.join(ci, 'data', 'samples.npz')).href } },
        optimize: { int8: { calibration: { source: 'data/samples.npz' } } },
      },
    },
  );
  const uploaded = await uploadSpecSources(input, context());
  const modelKey = `sources/${sha256Hex(MODEL)}.onnx`;
  const samplesKey = `sources/${sha256Hex(SAMPLES)}.npz`;
  expect(uploaded.model.source).toBe(`store:${modelKey}`);
  expect(uploaded.model.profile?.samples).toBe(`store:${samplesKey}`);
  expect(uploaded.stages.convert.golden.source).toBe(`store:${samplesKey}`);
  expect(uploaded.stages.optimize.int8.calibration.source).toBe(`store:${samplesKey}`);
  expect(await store.list('sources/')).toEqual([modelKey, samplesKey].sort());
  expect(Buffer.from((await store.get(modelKey)) as Uint8Array)).toEqual(MODEL);
  // The references are valid spec locations, and no longer local files.
  expect(sourceLocation.safeParse(uploaded.model.source).success).toBe(true);
  expect(isLocalLocation(uploaded.model.source)).toBe(false);
  expect(parseOrThrow(pipelineSpec, uploaded, 'uploaded spec').model.source).toBe(uploaded.model.source);
});

test('an upload of bytes the store holds already writes nothing and touches them', async () => {
  await uploadSpecSources(spec({}), context());
  const [before] = await store.listObjects('sources/');
  await new Promise((r) => setTimeout(r, 20));
  await uploadSpecSources(spec({}), context({ baseDir: ci }));
  const [after] = await store.listObjects('sources/');
  expect(after?.key).toBe(before?.key);
  expect(after?.modifiedMs).toBeGreaterThan(before?.modifiedMs as number);
});

test('s3:// sources and store: references are left to the worker; nothing is uploaded, and no store is opened', async () => {
  const remote = spec({ source: 's3://models/classifier.onnx' });
  const referenced = spec({ source: `store:sources/${'a'.repeat(64)}.onnx` });
  const opened = jest.fn(async () => 'never');
  expect(await uploadSpecSources(remote, context({ upload: opened }))).toEqual(remote);
  expect(await uploadSpecSources(referenced, context({ upload: opened }))).toEqual(referenced);
  expect(opened).not.toHaveBeenCalled();
});

test('a missing file, a FIFO and a data file over its cap are refused with their spec paths, and nothing is uploaded', async () => {
  await writeFile(path.join(ci, 'big.npz'), Buffer.alloc(1_001));
  const missing = uploadSpecSources(spec({ source: 'nowhere.onnx' }), context());
  await expect(missing).rejects.toThrow(InvalidSpecError);
  await expect(missing).rejects.toThrow(`model.source: ${path.join(ci, 'nowhere.onnx')} does not exist`);
  await expect(uploadSpecSources(spec({ source: 'pipe.onnx' }), context())).rejects.toThrow(
    'model.source: ' + path.join(ci, 'pipe.onnx') + ' is not a regular file',
  );
  const big = uploadSpecSources(spec({}, { stages: { validate: { evaluation: { source: 'big.npz', labels: 'y' } } } }), context());
  await expect(big).rejects.toThrow(
    `stages.validate.evaluation.source: ${path.join(ci, 'big.npz')} is 1001 bytes, over the limit of 1000 bytes (MODELSHIP_MAX_DATA_BYTES)`,
  );
  await expect(uploadSpecSources(spec({ maxSourceBytes: 100 }), context())).rejects.toThrow('over the limit of 100 bytes (model.maxSourceBytes)');
  expect(await store.list('')).toEqual([]);
});

test('the spec schema accepts only store:sources/<sha256><ext> references', () => {
  expect(uploadedSourceKey(`store:sources/${'b'.repeat(64)}.npz`)).toEqual({ key: `sources/${'b'.repeat(64)}.npz`, digest: 'b'.repeat(64) });
  for (const bad of ['store:models/x.onnx', `store:sources/${'b'.repeat(64)}/../x`, 'store:sources/abc.onnx']) {
    expect(sourceLocation.safeParse(bad).success).toBe(false);
  }
});

test('a worker reads a store: reference from its own store, verified, and refuses one its store does not hold', async () => {
  const { model } = await uploadSpecSources(spec({}), context());
  const options = {
    policy: { roots: [], buckets: [], maxModelBytes: 1_000_000, maxDataBytes: 1_000 },
    maxBytes: 1_000_000,
    failure: 'ModelSourceUnreadable' as const,
    what: 'model source',
    capSetting: 'test',
    context: { heartbeat: () => undefined, signal: new AbortController().signal },
  };
  expect(Buffer.from(await readSource(model.source, { ...options, store }))).toEqual(MODEL);
  const other = new FsArtifactStore(await mkdtemp(path.join(dir, 'other-')));
  await expect(readSource(model.source, { ...options, store: other })).rejects.toThrow(`is not in this worker's store (${other.uri})`);
  await expect(readSource(model.source, { ...options, store, maxBytes: 10 })).rejects.toThrow('over the limit of 10 bytes');
});

test('loading the client loads neither store/ nor the S3 client: they come with the first upload', () => {
  const loaded = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      "require('./sdk/client'); console.log(JSON.stringify(Object.keys(require.cache).filter((m) => m.includes('client-s3') || m.includes('/store/'))))",
    ],
    { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' },
  );
  expect(JSON.parse(loaded)).toEqual([]);
});
