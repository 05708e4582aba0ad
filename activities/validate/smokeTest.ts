/**
 * The smoke test and the first-load probe's inputs: a candidate runs on inputs from the model's input
 * profile (each of its shapes once; without a profile, default sizes that never give a sequence or
 * spatial axis length 1), and NaN or Inf in any output is a reason.
 */
import { modelMetadata, type InputProfile, type ValidationReport } from '../../sdk/schemas';
import { planInputs, profileInputs, shapeCycleLength, type ModelSession, type TensorMap } from '../../runtime';
import { countNonFinite } from '../../runtime/nonFiniteValues';
import { readDocument, storeKeys, type ArtifactStore } from '../../store';

/** The first-load probe's inputs, for the signature the artifact's metadata records (undefined without metadata: the probe only loads). */
export async function probeInputs(store: ArtifactStore, digest: string, profile: InputProfile | undefined): Promise<TensorMap[] | undefined> {
  const metadata = await readDocument(store, storeKeys.modelMetadata(digest), modelMetadata);
  return metadata ? profileInputs(metadata.io.inputs, profile, { samples: shapeCycleLength(profile) }) : undefined;
}

/** Runs the profile's inputs; records the outputs' shapes and non-finite counts, and what was run, in the report. */
export async function smokeTest(session: ModelSession, profile: InputProfile | undefined, report: ValidationReport): Promise<void> {
  const options = { samples: shapeCycleLength(profile) };
  const runs: TensorMap[] = [];
  for (const feeds of profileInputs(session.signature.inputs, profile, options)) {
    try {
      runs.push(await session.run(feeds));
    } catch (error) {
      report.reasons.push(`fails on synthetic inputs: ${(error as Error).message.split('\n')[0]}`);
      return;
    }
  }
  report.smokeTest = {
    outputs: Object.entries(runs[0] ?? {}).map(([name, t]) => ({
      name,
      shape: [...t.shape],
      nonFinite: runs.reduce((n, r) => n + (r[name] ? countNonFinite(r[name]) : 0), 0),
    })),
    inputs: planInputs(session.signature.inputs, profile, options).description,
  };
  const bad = report.smokeTest.outputs.filter((o) => o.nonFinite > 0);
  if (bad.length > 0) report.reasons.push(`NaN or Inf on synthetic inputs: ${bad.map((o) => `${o.name} (${o.nonFinite} values)`).join(', ')}`);
}
