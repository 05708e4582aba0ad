/**
 * The stages that make the model's candidates: ingest (the source, content-addressed), convert (to
 * ONNX, with the source framework's answers on golden inputs), optimize (one candidate per pass and target).
 * Deterministic: imports only `@temporalio/workflow` and pure `sdk/` modules.
 */
import { REJECTION_TYPES } from '../../sdk/errors';
import type { Candidate, ConversionReport, DeploymentFailure, DeploymentStatus, ModelArtifact, OptimizationPass, SkippedPass } from '../../sdk/schemas';
import { isSkippedPass } from '../../sdk/schemas/skippedPass';
import { fail, StageFailed, type Deployment } from '../deployment';
import { isInfrastructureFailure, toDeploymentFailure } from '../failures';

/** Stores the model source, content-addressed. */
export async function ingestStage(d: Deployment): Promise<NonNullable<DeploymentStatus['source']>> {
  const { spec, status } = d;
  status.source = await d.stage(
    'ingest',
    () =>
      d.cpu(spec.stages.ingest.timeout, `ingest ${spec.model.source}`).ingestModel({
        source: spec.model.source,
        ...(spec.model.maxSourceBytes !== undefined ? { maxBytes: spec.model.maxSourceBytes } : {}),
        ...(spec.model.format !== undefined ? { format: spec.model.format } : {}),
      }),
    (s) => `stored ${s.key} (${s.sizeBytes} bytes)`,
  );
  return status.source;
}

/** Converts the source to ONNX and records the source framework's answers on golden inputs. */
export async function convertStage(d: Deployment): Promise<ConversionReport> {
  const { spec, status } = d;
  const source = status.source ?? fail('convert', 'convertStage needs ingestStage first');
  const { convert, validate } = spec.stages;
  // What ingest found the source to hold; deployments recorded before it said so declared it in the spec.
  const format = source.format ?? spec.model.format ?? 'onnx';
  const conversion = await d.stage(
    'convert',
    () =>
      d.cpu(convert.timeout, `convert ${format} → ONNX (opset ${convert.opset ?? (format === 'onnx' ? 'of the source' : 'default')})`).convertModel({
        sourceKey: source.key,
        sourceUri: spec.model.source,
        format,
        ...(source.registry ? { registry: source.registry } : {}),
        inputs: spec.model.inputs,
        outputNames: spec.model.outputNames,
        opset: convert.opset,
        golden: convert.golden,
        profile: spec.model.profile,
        evaluationSource: validate.evaluation?.source,
        timeoutMs: convert.timeout,
      }),
    (c) => `${format} → ${c.artifact.key} (${c.artifact.sizeBytes} bytes); reference outputs on ${c.goldenCount} golden inputs`,
  );
  status.conversion = conversion;
  return conversion;
}

/** Candidates per target: the fp32 conversion, then one per optimization pass (a pass shared by targets runs once). */
export async function optimizeStage(d: Deployment): Promise<Candidate[]> {
  const { spec, status } = d;
  const { optimize } = spec.stages;
  const base = (status.conversion ?? fail('optimize', 'optimizeStage needs convertStage first')).artifact;
  const passes = [...new Set(spec.targets.flatMap((t) => (optimize.enabled ? optimize.passes[t] : [])))];
  for (const target of spec.targets) {
    status.candidates.push({ label: 'fp32', target, pass: 'convert', artifact: base, selected: false, verdict: '' });
  }
  // The int8 pass's settings and where its calibration inputs may come from (activity input only: the same commands).
  const { source, seed } = spec.stages.convert.golden;
  const golden = { seed, ...(source !== undefined ? { source } : {}) };
  await d.stage(
    'optimize',
    async () => {
      const made = await Promise.all(
        passes.map(async (pass): Promise<PassOutcome> => {
          try {
            const int8 = pass === 'int8' ? { int8: optimize.int8, endpoint: spec.endpoint, profile: spec.model.profile, golden } : {};
            // The targets that want the pass (fp16 for the CPU alone is probed there).
            const targets = spec.targets.filter((t) => optimize.passes[t].includes(pass));
            const input = { artifact: base, pass, timeoutMs: optimize.timeout, targets, ...int8 };
            return { pass, ...outcome(await d.cpu(optimize.timeout, `optimize: ${pass}`).optimizeModel(input)) };
          } catch (error) {
            return { pass, error: toDeploymentFailure('optimize', error), infrastructure: isInfrastructureFailure(error) };
          }
        }),
      );
      // Pushed once every pass is judged, so a stage that is retried does not add any candidate twice.
      const candidates: Candidate[] = [];
      for (const target of spec.targets) {
        for (const pass of optimize.enabled ? optimize.passes[target] : []) {
          const result = made.find((m) => m.pass === pass);
          if (result?.error && !REJECTION_TYPES.has(result.error.type) && result.error.type !== 'OptimizationFailed') {
            throw new StageFailed(result.error, false, result.infrastructure);
          }
          candidates.push({
            label: pass,
            target,
            pass,
            artifact: result?.artifact,
            parentDigest: base.digest,
            selected: false,
            ...(result?.skipped !== undefined ? { skipped: result.skipped } : {}),
            verdict: result?.error
              ? `not selected: the ${pass} pass failed: ${result.error.message}`
              : result?.skipped !== undefined
                ? `skipped: ${result.skipped}`
                : '',
          });
        }
      }
      status.candidates.push(...candidates);
      return made;
    },
    (made) =>
      passes.length === 0
        ? 'no passes'
        : made
            .map((m) =>
              m.artifact
                ? `${m.pass} → ${(m.artifact.sizeBytes / 1024).toFixed(1)} KiB`
                : m.skipped !== undefined
                  ? `${m.pass} skipped (${m.skipped})`
                  : `${m.pass} failed`,
            )
            .join(', '),
  );
  return status.candidates;
}

/** What became of one pass: its artifact, why it was skipped, or how it failed. */
interface PassOutcome {
  pass: OptimizationPass;
  artifact?: ModelArtifact;
  skipped?: string;
  error?: DeploymentFailure;
  infrastructure?: boolean;
}

/** An optimize activity's answer as the stage records it: the artifact, or why the pass was skipped. */
function outcome(result: ModelArtifact | SkippedPass): { artifact?: ModelArtifact; skipped?: string } {
  return isSkippedPass(result) ? { skipped: result.skipped } : { artifact: result };
}
