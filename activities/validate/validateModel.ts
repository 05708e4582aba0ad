/** Validate: the model loads in onnxruntime, its IO signature is recorded, and it runs to finite outputs. */
import { performance } from 'node:perf_hooks';
import type { Lineage, ModelArtifact, ModelMetadata, ValidationReport } from '../../sdk/schemas';
import { rejection } from '../failures';
import { ModelLoadError, syntheticInputs, type ModelRuntime, type TensorData } from '../runtime';
import { ArtifactCorruptError, getModel, storeKeys, writeDocument, type ArtifactStore } from '../store';

export interface ValidateInput {
  artifact: ModelArtifact;
  smokeTest: boolean;
  lineage: Lineage;
}

export async function validateModel(
  store: ArtifactStore,
  runtime: ModelRuntime,
  input: ValidateInput,
): Promise<ValidationReport> {
  const { artifact } = input;
  const bytes = await loadVerified(store, artifact.digest);

  const started = performance.now();
  let session;
  try {
    session = await runtime.load(bytes);
  } catch (error) {
    if (error instanceof ModelLoadError) throw rejection('ModelUnloadable', error.message);
    throw error;
  }
  const loadMs = performance.now() - started;

  try {
    const report: ValidationReport = { digest: artifact.digest, io: session.signature, loadMs, runtime: session.runtime };
    if (input.smokeTest) {
      let outputs;
      try {
        outputs = await session.run(syntheticInputs(session.signature.inputs));
      } catch (error) {
        throw rejection('ModelValidationFailed', `the model fails on synthetic inputs: ${(error as Error).message}`);
      }
      report.smokeTest = {
        outputs: Object.entries(outputs).map(([name, t]) => ({ name, shape: [...t.shape], nonFinite: countNonFinite(t.data) })),
      };
      const bad = report.smokeTest.outputs.filter((o) => o.nonFinite > 0);
      if (bad.length > 0) {
        throw rejection(
          'ModelValidationFailed',
          `the model produces NaN or Inf on synthetic inputs: ${bad.map((o) => `${o.name} (${o.nonFinite} values)`).join(', ')}`,
          report,
        );
      }
    }
    const metadata: ModelMetadata = {
      digest: artifact.digest,
      format: artifact.format,
      sizeBytes: artifact.sizeBytes,
      io: session.signature,
      lineage: { ...input.lineage, toolVersions: { ...input.lineage.toolVersions, onnxruntime: runtime.version } },
    };
    const metadataKey = storeKeys.modelMetadata(artifact.digest);
    if (!(await store.exists(metadataKey))) await writeDocument(store, metadataKey, metadata);
    return report;
  } finally {
    await session.release();
  }
}

/** Reads a model and turns a digest mismatch into a non-retryable failure. */
export async function loadVerified(store: ArtifactStore, digest: string): Promise<Uint8Array> {
  try {
    return await getModel(store, digest);
  } catch (error) {
    if (error instanceof ArtifactCorruptError) throw rejection('ArtifactCorrupt', error.message);
    throw error;
  }
}

function countNonFinite(data: TensorData): number {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return 0;
  let n = 0;
  for (const v of data) if (!Number.isFinite(v)) n++;
  return n;
}
