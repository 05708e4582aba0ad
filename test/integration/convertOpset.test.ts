/**
 * The convert activity on ONNX sources, with the real Python tool (onnx, onnxruntime) and
 * onnxruntime-node: a source keeps its opset, byte for byte, unless `opset` is set and differs;
 * the reference outputs are the untouched source's, so parity judges a converted copy against
 * the original.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { standaloneContext } from '../../activities/activityContext';
import { sourcePolicyFromEnv } from '../../activities/ingest/sourcePolicy';
import { convertModel } from '../../activities/convert/convertModel';
import { ingestModel } from '../../activities/ingest/ingestModel';
import { runPythonTool } from '../../activities/python/pythonTool';
import { OnnxRuntime } from '../../runtime';
import { getBundle } from '../../runtime/tensorBundle';
import { modelMetadata } from '../../sdk/schemas';
import { FsArtifactStore, readDocument, sha256Hex, storeKeys, type ArtifactStore } from '../../store';
import { modelPath, tempDir } from '../support/testEnv';

let store: ArtifactStore;
let work: string;
const runtime = new OnnxRuntime();
let sourceBytes: Buffer;

// Sources from the folders globalSetup allows (MODELSHIP_SOURCE_ROOTS).
const sources = sourcePolicyFromEnv(process.env);

beforeAll(async () => {
  store = new FsArtifactStore(await tempDir('store-convert-opset'));
  work = await tempDir('convert-opset');
  sourceBytes = await readFile(modelPath('classifier_opset13'));
});

async function convert(opset?: number) {
  const source = await ingestModel({ store, context: standaloneContext(), sources }, { source: pathToFileURL(modelPath('classifier_opset13')).href });
  return convertModel(
    { store, runtime, context: standaloneContext(), sources },
    {
      sourceKey: source.key,
      sourceUri: 'test',
      format: 'onnx',
      ...(opset !== undefined ? { opset } : {}),
      golden: { samples: 32, seed: 5 },
      timeoutMs: 60_000,
    },
  );
}

/** The model's opsets, as the Python tool's checker reads them. */
async function opsetsOf(digest: string): Promise<Record<string, number>> {
  const file = path.join(await mkdtemp(path.join(work, 'model-')), 'model.onnx');
  await writeFile(file, (await store.get(storeKeys.model(digest))) ?? new Uint8Array());
  const checked = await runPythonTool('check', { model: file, probeRuntime: false }, z.object({ opsets: z.record(z.string(), z.number()) }).passthrough(), {
    timeoutMs: 60_000,
  });
  return checked.opsets;
}

/** onnxruntime-node's outputs of the untouched source on the conversion's golden inputs. */
async function sourceOutputs(goldenDigest: string) {
  const session = await runtime.load(sourceBytes);
  try {
    return await session.run(await getBundle(store, goldenDigest));
  } finally {
    await session.release();
  }
}

test('without opset, an ONNX source at opset 13 is kept byte for byte, and its reference is its own outputs', async () => {
  const conversion = await convert();
  expect(conversion.artifact.digest).toBe(sha256Hex(sourceBytes));
  expect(await opsetsOf(conversion.artifact.digest)).toEqual({ 'ai.onnx': 13 });
  expect(conversion.goldenCount).toBe(32);
  expect(await getBundle(store, conversion.referenceDigest)).toEqual(await sourceOutputs(conversion.goldenDigest));
  const metadata = await readDocument(store, storeKeys.modelMetadata(conversion.artifact.digest), modelMetadata);
  expect(metadata?.lineage.parameters).toEqual({ format: 'onnx', sourceKey: expect.stringMatching(/^sources\//) });
});

test('opset set to the source’s own opset keeps the source as it is', async () => {
  expect((await convert(13)).artifact.digest).toBe(sha256Hex(sourceBytes));
});

test('opset set and different converts the copy; the reference still comes from the untouched source', async () => {
  const conversion = await convert(17);
  expect(conversion.artifact.digest).not.toBe(sha256Hex(sourceBytes));
  expect(await opsetsOf(conversion.artifact.digest)).toEqual({ 'ai.onnx': 17 });
  expect(await getBundle(store, conversion.referenceDigest)).toEqual(await sourceOutputs(conversion.goldenDigest));
  const metadata = await readDocument(store, storeKeys.modelMetadata(conversion.artifact.digest), modelMetadata);
  expect(metadata?.lineage.parameters).toMatchObject({ format: 'onnx', opset: 17 });
});
