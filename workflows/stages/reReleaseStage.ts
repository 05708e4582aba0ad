/**
 * Re-releasing an artifact the endpoint already served (`model.source: version:<version-or-alias>`
 * or `digest:sha256:<hex>`): instead of ingest, convert, optimize and validate (recorded as skipped,
 * with the reason), the `recall` stage checks that the artifact the endpoint resolved is still in the
 * store and keeps the serving version's IO contract, and makes it the one candidate per target. The
 * benchmark gate and the rollout run after it as for any deployment.
 * Deterministic: imports only `@temporalio/workflow` and pure `sdk/` modules.
 */
import type { KnownArtifact } from '../../sdk/definitions';
import type { Candidate, ValidationReport } from '../../sdk/schemas';
import { shortDigest } from '../../sdk/shortDigest';
import { routedPicksOf } from '../../sdk/targetPicks';
import { fail, stageOf, StageFailed, type Deployment } from '../deployment';

/** The model stages a re-release does not run. */
const SKIPPED = ['ingest', 'convert', 'optimize', 'validate'] as const;

/** Makes the known artifact the candidate of every target; the model stages are recorded skipped. */
export async function reReleaseStage(d: Deployment): Promise<Candidate[]> {
  const { spec, status } = d;
  const known =
    d.admission?.release ??
    fail(
      'recall',
      `${spec.model.source} names an artifact only the endpoint can resolve: deploy it through endpoint ${spec.endpoint} (modelship deploy, client.deploy())`,
    );
  const stable = d.admission?.stable;
  const io = await d.stage(
    'recall',
    async () => {
      const check = await d.cpu(60_000, `check ${known.key}`).checkReturnTarget({
        target: { version: known.version, digest: known.digest, ...routedPicksOf(known.picks) },
        ...(stable ? { serving: { version: stable.version, digest: stable.digest } } : {}),
      });
      if ('refusal' in check)
        throw new StageFailed({ type: check.refusal.type, stage: 'recall', message: `cannot re-release ${known.version}: ${check.refusal.reason}` });
      return check.io;
    },
    () => `${describeKnown(known)}: ${known.key} is in the store${stable ? ` and keeps ${stable.version}'s IO contract` : ''}`,
  );
  for (const name of SKIPPED) {
    const state = stageOf(d, name);
    state.status = 'skipped';
    state.summary = `${describeKnown(known)}, validated for ${spec.endpoint} when it served`;
  }
  for (const target of spec.targets) {
    // Each target serves what it served then: its own pick (kept with the version), else the version's artifact.
    const { digest, key, sizeBytes } = (target === 'gpu' && known.picks?.gpu) || known;
    const artifact = { digest, key, sizeBytes, format: 'onnx' as const };
    // The one candidate takes the base candidate's place (`pass: convert`), so the benchmark and its gate judge it as any pick.
    const validation: ValidationReport = {
      digest,
      pass: known.pass,
      io,
      loadMs: 0,
      runtime: { ortVersion: `as validated for ${known.version}`, executionProvider: target, intraOpThreads: 0 },
      passed: true,
      reasons: [],
    };
    status.candidates.push({
      label: known.pass === 'convert' ? 'fp32' : known.pass,
      target,
      pass: 'convert',
      artifact,
      validation,
      selected: false,
      verdict: '',
    });
  }
  d.changed();
  return status.candidates;
}

function describeKnown(known: KnownArtifact): string {
  return `re-release of ${known.version} (${shortDigest(known.digest)}${known.via ? `, by ${known.via}` : ''})`;
}
