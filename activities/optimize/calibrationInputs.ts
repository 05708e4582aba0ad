/**
 * The calibration inputs of static int8, from the one place every gate takes its inputs from
 * (ARCHITECTURE "Representative inputs"), in this order: the spec's `calibration.source` (an `.npz`
 * file), else the endpoint's captured traffic, else the model's input profile (its sample set, else
 * inputs drawn from its shapes and values: never size 1 on a spatial or sequence axis). At most
 * `samples` rows; captured requests only if they fit the model's inputs ({@link fitsInputs}). Never the golden inputs the candidate's parity is judged on: the profile's sample set
 * only when the golden inputs come from elsewhere (`stages.convert.golden.source`), and drawn inputs
 * with another seed than the golden ones. {@link pickCalibrationSource} is the order (pure); {@link writeCalibrationInputs}
 * writes the rows next to the model for the Python tool and says where they came from.
 */
import { open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { InputProfile, TensorSpec } from '../../sdk/schemas';
import { mostCommonShape } from '../../runtime/capturedSamples';
import { readCaptured, type CapturedRequest } from '../../runtime/capturedTraffic';
import { planInputs } from '../../runtime/inputProfile';
import { profileInputs } from '../../runtime/syntheticInputs';
import type { TensorMap } from '../../runtime/tensor';
import { encodeBundleRuns } from '../../runtime/tensorBundle';
import { readDataFile, type DataFileDeps } from '../ingest/readDataFile';

/**
 * Whether a request's tensors are what a model with these inputs takes: the same names, each with its
 * datatype, rank and fixed dims (a negative dim takes any size), as the gateway checks requests.
 */
export function fitsInputs(tensors: TensorMap, specs: readonly TensorSpec[]): boolean {
  if (Object.keys(tensors).length !== specs.length) return false;
  return specs.every((spec) => {
    const tensor = tensors[spec.name];
    if (!tensor || tensor.datatype !== spec.datatype || tensor.shape.length !== spec.shape.length) return false;
    return spec.shape.every((d, i) => d < 0 || tensor.shape[i] === d);
  });
}

/** Where the calibration rows come from. */
export type CalibrationSource =
  | { kind: 'source'; location: string }
  | { kind: 'captured' }
  | { kind: 'profile samples'; location: string }
  | { kind: 'profile' };

/**
 * The first source that has rows: the spec's file, captured requests, the profile's sample set (unless it
 * is the golden inputs: no `goldenSource`, or the same file), the profile's shapes.
 */
export function pickCalibrationSource(options: {
  source?: string;
  capturedRequests: number;
  profile?: InputProfile;
  goldenSource?: string;
}): CalibrationSource {
  if (options.source) return { kind: 'source', location: options.source };
  if (options.capturedRequests > 0) return { kind: 'captured' };
  const samples = options.profile?.samples;
  if (samples && options.goldenSource && options.goldenSource !== samples) return { kind: 'profile samples', location: samples };
  return { kind: 'profile' };
}

/** The seed of drawn calibration inputs: never the golden inputs' seed, so int8 is not judged on the rows it was calibrated on. */
export function calibrationSeed(goldenSeed: number): number {
  return (goldenSeed + 1) >>> 0;
}

export interface CalibrationInput {
  /** The model's inputs (its IO signature). */
  inputs: readonly TensorSpec[];
  /** The spec's `stages.optimize.int8.calibration`. */
  calibration: { samples: number; source?: string };
  /** The endpoint whose captured traffic is read. */
  endpoint?: string;
  profile?: InputProfile;
  /** Where the golden inputs come from (`stages.convert.golden`): calibration keeps off them. */
  golden?: { source?: string; seed: number };
}

/**
 * What the Python tool reads: an `.npz` file (read as golden inputs are: one batch, or one run per sample
 * when the model cannot take the samples as one batch) or a tensor bundle, and where its rows came from.
 */
export type CalibrationRequest = ({ npz: string; inputs: readonly TensorSpec[]; perSample: boolean } | { bundle: string }) & { source: string };

/** Writes the calibration rows into `dir`; the tool's `calibration` request. */
export async function writeCalibrationInputs(deps: DataFileDeps, input: CalibrationInput, dir: string): Promise<CalibrationRequest> {
  const { samples, source } = input.calibration;
  const requests = source || !input.endpoint ? [] : (await readCaptured(deps.store, input.endpoint, { maxRows: samples })).requests;
  // Traffic sent to the stable version may not fit this model (inputs renamed, retyped, reshaped): only requests it takes.
  const captured = withinBytes(mostCommonShape(requests.filter((r) => fitsInputs(r.inputs, input.inputs))), CALIBRATION_MAX_BYTES);
  const picked = pickCalibrationSource({ source, capturedRequests: captured.length, profile: input.profile, goldenSource: input.golden?.source });
  const bundle = path.join(dir, 'calibration.json');
  switch (picked.kind) {
    case 'source':
    case 'profile samples': {
      const npz = path.join(dir, 'calibration.npz');
      await writeFile(npz, await readDataFile(deps, picked.location, 'InvalidDataset', 'calibration inputs'));
      const perSample = !planInputs(input.inputs, input.profile, { samples }).stacked;
      return {
        npz,
        inputs: input.inputs,
        perSample,
        source: `${picked.kind === 'source' ? 'stages.optimize.int8.calibration.source' : "the input profile's samples"} ${picked.location}`,
      };
    }
    case 'captured':
      await writeRuns(
        bundle,
        captured.map((r) => r.inputs),
      );
      return { bundle, source: `captured traffic of ${input.endpoint} (${describeCaptured(captured)})` };
    case 'profile': {
      const seed = calibrationSeed(input.golden?.seed ?? 0);
      await writeRuns(bundle, profileInputs(input.inputs, input.profile, { samples, seed }));
      const plan = planInputs(input.inputs, input.profile, { samples });
      // The profile's sample set is the golden inputs here: calibrating on it would judge int8 on its own calibration rows.
      const why = input.profile?.samples ? ' (its sample set is the golden inputs)' : '';
      const from = input.profile ? `the input profile${why}` : "the model's signature";
      return { bundle, source: `inputs drawn from ${from}, seed ${seed}: ${plan.description}` };
    }
  }
}

/** Tensor bytes of captured requests taken for calibration at most (up to 4096 rows of large images would not fit a worker). */
export const CALIBRATION_MAX_BYTES = 256 * 1024 * 1024;

/** The first requests whose tensors hold at most `maxBytes` in all (at least one). */
export function withinBytes<T extends { inputs: TensorMap }>(requests: readonly T[], maxBytes: number): T[] {
  const taken: T[] = [];
  let bytes = 0;
  for (const request of requests) {
    bytes += Object.values(request.inputs).reduce((n, t) => n + (ArrayBuffer.isView(t.data) ? t.data.byteLength : 0), 0);
    if (bytes > maxBytes && taken.length > 0) break;
    taken.push(request);
  }
  return taken;
}

/** Writes runs as a tensor bundle, one run encoded at a time (never the whole base64 text in one string). */
async function writeRuns(file: string, runs: readonly TensorMap[]): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.write('{"runs":[');
    for (const [i, run] of runs.entries()) {
      const encoded = encodeBundleRuns([run]);
      await handle.write((i > 0 ? ',' : '') + JSON.stringify('tensors' in encoded ? encoded.tensors : {}));
    }
    await handle.write(']}');
  } finally {
    await handle.close();
  }
}

function describeCaptured(requests: readonly CapturedRequest[]): string {
  const rows = requests.reduce((n, r) => n + r.rows, 0);
  const versions = [...new Set(requests.map((r) => r.version))];
  return `${requests.length} request(s), ${rows} row(s), version(s) ${versions.join(', ')}`;
}
