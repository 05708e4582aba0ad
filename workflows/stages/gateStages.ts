/**
 * The stages that judge the candidates: validate (structure, IO contract against the stable
 * version, parity against the source framework, accuracy, behaviour against stable), benchmark (on
 * each target's workers, the stable version measured interleaved with them), select (the fastest
 * faithful pick, gated against stable).
 * Deterministic: imports only `@temporalio/workflow` and pure `sdk/` modules.
 */
import { patched } from '@temporalio/workflow';
import type { FailureType } from '../../sdk/constants';
import { behaviourSummary } from '../../sdk/behaviourSummary';
import { digestFor, servedArtifacts } from '../../sdk/targetPicks';
import type { BenchmarkReport, Candidate, Target, ValidationReport } from '../../sdk/schemas';
import { ratioText, selectCandidate } from '../candidateSelection';
import { gatePicks, type TargetGate } from '../targetGates';
import { fail, stageOf, StageFailed, type Deployment } from '../deployment';

/** Patch id: the release serves each target's pick (the routing's `digest` on CPU replicas, `picks` on the others). */
export const ROUTING_PICKS_PER_TARGET = 'routing-picks-per-target';

/** Patch id: with several targets, every target's pick is gated against its own benchmark report (before, the serving pick alone). */
export const GATE_EVERY_TARGET = 'gate-every-target';

/** Patch id: the selection also takes an optimized copy's paired-runs interval to fp32 as proof of a speed-up (before, settled measurements alone). */
export const SELECTION_PAIRED_INTERVAL = 'selection-paired-interval';
/** Patch id: a copy with a paired interval to fp32 is judged by that interval alone (before, settled p50s could prove it faster against the interval). */
export const SELECTION_PAIRED_DECIDES = 'selection-paired-decides';

/**
 * Validates every candidate on its target's workers: structure, IO contract against the stable
 * version, parity against the source framework, accuracy. The fp32 model must pass, and answer the
 * replay inputs like the stable version the endpoint handed over (the behaviour gate, inside the
 * same activity).
 */
export async function validateStage(d: Deployment): Promise<void> {
  const { spec, status } = d;
  const { validate } = spec.stages;
  const conversion = status.conversion ?? fail('validate', 'validateStage needs convertStage first');
  // Absent without an endpoint: the activity reads the stable version from the routing.
  const stable = d.admission ? d.admission.stable && { version: d.admission.stable.version, digest: d.admission.stable.digest } : undefined;
  await d.stage(
    'validate',
    async () => {
      for (const target of spec.targets) {
        const validateOn = (candidate: Candidate, baselineAccuracy?: number) =>
          d.on(target, validate.timeout, `validate ${candidate.label} on ${target}`).validateCandidate({
            artifact: candidate.artifact as NonNullable<Candidate['artifact']>,
            pass: candidate.pass,
            target,
            smokeTest: validate.smokeTest,
            profile: spec.model.profile,
            task: spec.model.task,
            scoreOutput: spec.model.scoreOutput,
            tolerances: validate.tolerances,
            int8MinAgreement: validate.int8MinAgreement,
            referenceDigest: conversion.referenceDigest,
            goldenDigest: conversion.goldenDigest,
            evaluation:
              validate.evaluation && conversion.evaluationDigest
                ? {
                    digest: conversion.evaluationDigest,
                    labels: validate.evaluation.labels,
                    maxAccuracyDrop: validate.evaluation.maxAccuracyDrop,
                    baselineAccuracy,
                  }
                : undefined,
            endpoint: spec.endpoint,
            allowBreakingChanges: validate.allowBreakingChanges,
            ...(candidate.pass === 'convert' ? { behaviour: { ...validate.behaviour, stable } } : {}),
            timeoutMs: validate.timeout,
          });
        const forTarget = status.candidates.filter((c) => c.target === target);
        const baseCandidate = forTarget.find((c) => c.pass === 'convert') as Candidate;
        baseCandidate.validation = await validateOn(baseCandidate);
        if (!baseCandidate.validation.passed) {
          status.validation = baseCandidate.validation;
          throw new StageFailed({
            type: validationFailureType(baseCandidate.validation, validate.allowBreakingChanges),
            stage: 'validate',
            message: baseCandidate.validation.reasons.join('; '),
          });
        }
        const baselineAccuracy = baseCandidate.validation.accuracy?.value;
        await Promise.all(
          forTarget
            .filter((c) => c !== baseCandidate && c.artifact)
            .map(async (c) => {
              c.validation = await validateOn(c, baselineAccuracy);
            }),
        );
      }
      return status.candidates.filter((c) => c.validation?.passed).length;
    },
    (passed) => {
      const behaviour = status.candidates.find((c) => c.pass === 'convert')?.validation?.behaviour;
      const parity = `${passed} of ${status.candidates.length} candidate(s) pass (parity against the source model${validate.evaluation ? ', accuracy' : ''})`;
      return behaviour ? `${parity}; ${behaviourSummary(behaviour)}` : parity;
    },
  );
}

/** Why the fp32 model was refused: a broken IO contract, a change of behaviour alone, or anything else. */
function validationFailureType(report: ValidationReport, allowBreakingChanges: boolean): FailureType {
  if (report.ioContract && report.ioContract.breaking.length > 0 && !allowBreakingChanges) return 'IoContractBroken';
  if (report.behaviour && !report.behaviour.passed && report.reasons.length === 1) return 'BehaviourChanged';
  return 'ModelValidationFailed';
}

/**
 * Benchmarks the candidates that passed validation, on each target's workers, with the stable version
 * (as the admitting endpoint handed it over, its pick for that target; else as the routing says)
 * measured interleaved with them.
 */
export async function benchmarkStage(d: Deployment): Promise<BenchmarkReport[]> {
  const { spec, status } = d;
  const { benchmark } = spec.stages;
  if (!benchmark.enabled) {
    stageOf(d, 'benchmark').status = 'skipped';
    return [];
  }
  const handedOver = d.admission?.stable;
  // On each target, the stable version as its replicas serve it (its pick for the target).
  const stableOn = (target: Target) =>
    d.admission ? { stable: handedOver ? { version: handedOver.version, digest: digestFor(handedOver, target) } : null } : { baselineEndpoint: spec.endpoint };
  return d.stage(
    'benchmark',
    async () => {
      // A retried stage measures again: no report twice.
      status.benchmarks.splice(0);
      for (const target of spec.targets) {
        const measured = status.candidates.filter((c) => c.target === target && c.validation?.passed && c.artifact);
        const report: BenchmarkReport = await d.on(target, benchmark.timeout, `benchmark ${measured.length} candidate(s) on ${target}`).benchmarkCandidates({
          target,
          candidates: measured.map((c) => ({ label: c.label, digest: (c.artifact as NonNullable<Candidate['artifact']>).digest })),
          ...conversionOf(measured),
          ...stableOn(target),
          batchSizes: benchmark.batchSizes,
          profile: spec.model.profile,
          warmupRuns: benchmark.warmupRuns,
          windowRuns: benchmark.windowRuns,
          stabilityTolerance: benchmark.stabilityTolerance,
          budgetMs: benchmark.budget,
          confidence: benchmark.regressionConfidence,
        });
        status.benchmarks.push(report);
        for (const c of measured) c.benchmark = report.candidates.find((r) => r.label === c.label);
      }
      return status.benchmarks;
    },
    (reports) => reports.map(describeBenchmark).join('; '),
  );
}

function describeBenchmark(r: BenchmarkReport): string {
  const p50 = (b: { batches: { latencyMs: { p50: number } }[] }): string => `p50 ${b.batches[0]?.latencyMs.p50.toFixed(3)} ms`;
  const against = (c: BenchmarkReport['candidates'][number]): string => {
    const stable = r.comparisons?.find((x) => x.label === c.label);
    const compared = [...(c.vsConversion ? [ratioText(c.vsConversion, 'fp32')] : []), ...(stable ? [ratioText(stable, 'stable')] : [])];
    return compared.length > 0 ? ` (${compared.join('; ')})` : '';
  };
  const candidates = r.candidates.map((c) => `${c.label} ${p50(c)}${against(c)}`).join(', ');
  return `${r.target}: ${candidates}${r.baseline ? ` (${r.baseline.label} ${p50(r.baseline)})` : ''}`;
}

/** The label of the fp32 conversion among the measured candidates, for the benchmark to compare the optimized copies with. */
function conversionOf(measured: readonly Candidate[]): { conversion?: string } {
  const conversion = measured.find((c) => c.pass === 'convert');
  return conversion ? { conversion: conversion.label } : {};
}

/**
 * Picks a candidate per target (the fastest one proven faster that passed, by settled measurements or
 * by its paired-runs interval to fp32; else fp32), then gates each target's pick
 * against the endpoint's stable version as that target serves it (../targetGates.ts); any regression fails the stage. Returns the candidate the gateway will serve.
 */
export function selectStage(d: Deployment): Candidate {
  const { spec, status } = d;
  const { benchmark } = spec.stages;
  const picks = new Map<Target, Candidate>();
  // Histories recorded before the patches proved a speed-up by settled measurements alone, then by either proof.
  const rules = { pairedInterval: patched(SELECTION_PAIRED_INTERVAL), pairedDecides: patched(SELECTION_PAIRED_DECIDES) };
  for (const target of spec.targets) {
    try {
      picks.set(
        target,
        selectCandidate(
          status.candidates.filter((c) => c.target === target),
          benchmark.minSpeedupPercent / 100,
          rules,
        ),
      );
    } catch (error) {
      // A pipeline without validateStage (or one that let a failed base through) has nothing to serve.
      fail('benchmark', `no candidate to serve on ${target}: ${(error as Error).message}`);
    }
  }
  const servingTarget: Target = spec.targets.includes('cpu') ? 'cpu' : (spec.targets[0] as Target);
  const serving = picks.get(servingTarget) as Candidate;
  recordPicks(d, picks, serving);
  status.validation = serving.validation;
  // Histories recorded before the patch gated the serving pick alone.
  const gatedTargets = spec.targets.length > 1 && patched(GATE_EVERY_TARGET) ? spec.targets : [servingTarget];
  const gates = gatePicks(gatedTargets, picks, status.benchmarks, benchmark);
  if (gates.length === 0) return serving;
  for (const { report, gate } of gates) report.gate = gate;
  const verdictOf = ({ target, gate }: TargetGate): string => (gates.length > 1 ? `${target}: ${gate.verdict}` : gate.verdict);
  const state = stageOf(d, 'benchmark');
  const regressed = gates.filter((g) => g.gate.regressed);
  if (regressed.length > 0) {
    const verdict = regressed.map(verdictOf).join('; ');
    state.status = 'failed';
    state.summary = verdict;
    throw new StageFailed({ type: 'BenchmarkRegressed', stage: 'benchmark', message: verdict });
  }
  state.summary = `${state.summary ?? ''}; gate: ${gates.map(verdictOf).join('; ')}`;
  return serving;
}

/**
 * Records what the release serves per target: `status.artifact` on CPU replicas (the cpu pick, or
 * without a cpu target the fp32 conversion — a re-release's own artifact), `status.picks` on GPU ones
 * (a re-release keeps the version's gpu pick even when its spec does not list gpu).
 * Histories recorded before the patch served the serving pick alone, everywhere.
 */
function recordPicks(d: Deployment, picks: ReadonlyMap<Target, Candidate>, serving: Candidate): void {
  const { spec, status } = d;
  if (!patched(ROUTING_PICKS_PER_TARGET)) {
    status.artifact = serving.artifact;
    return;
  }
  const artifacts = new Map([...picks].flatMap(([target, c]) => (c.artifact ? [[target, c.artifact] as const] : [])));
  const first = spec.targets[0] as Target;
  const known = d.admission?.release;
  const fp32 = known
    ? { digest: known.digest, key: known.key, sizeBytes: known.sizeBytes, format: 'onnx' as const }
    : status.candidates.find((c) => c.target === first && c.pass === 'convert')?.artifact;
  const served = servedArtifacts(spec.targets, artifacts, fp32);
  status.artifact = served.artifact;
  // A re-release whose spec lists fewer targets keeps the version's other picks: its GPU replicas serve again what they served.
  const kept = served.picks ?? known?.picks;
  if (kept) status.picks = kept;
}
