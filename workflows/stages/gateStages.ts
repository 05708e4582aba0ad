/**
 * The stages that judge the candidates: validate (structure, IO contract against the stable
 * version, parity against the source framework, accuracy, behaviour against stable), benchmark (on each target's workers,
 * the stable version measured alongside), select (the fastest faithful pick, gated against stable).
 * Deterministic: imports only `@temporalio/workflow` and pure `sdk/` modules.
 */
import type { FailureType } from '../../sdk/constants';
import { behaviourSummary } from '../../sdk/behaviourSummary';
import type { BenchmarkReport, Candidate, Target, ValidationReport } from '../../sdk/schemas';
import { selectCandidate } from '../candidateSelection';
import { fail, stageOf, StageFailed, type Deployment } from '../deployment';

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

/** Benchmarks the candidates that passed validation, on each target's workers, with the stable version measured alongside. */
export async function benchmarkStage(d: Deployment): Promise<BenchmarkReport[]> {
  const { spec, status } = d;
  const { benchmark } = spec.stages;
  if (!benchmark.enabled) {
    stageOf(d, 'benchmark').status = 'skipped';
    return [];
  }
  return d.stage(
    'benchmark',
    async () => {
      for (const target of spec.targets) {
        const measured = status.candidates.filter((c) => c.target === target && c.validation?.passed && c.artifact);
        const report: BenchmarkReport = await d.on(target, benchmark.timeout, `benchmark ${measured.length} candidate(s) on ${target}`).benchmarkCandidates({
          target,
          candidates: measured.map((c) => ({ label: c.label, digest: (c.artifact as NonNullable<Candidate['artifact']>).digest })),
          baselineEndpoint: spec.endpoint,
          batchSizes: benchmark.batchSizes,
          warmupRuns: benchmark.warmupRuns,
          windowRuns: benchmark.windowRuns,
          stabilityTolerance: benchmark.stabilityTolerance,
          budgetMs: benchmark.budget,
        });
        status.benchmarks.push(report);
        for (const c of measured) c.benchmark = report.candidates.find((r) => r.label === c.label);
      }
      return status.benchmarks;
    },
    (reports) =>
      reports
        .map(
          (r) =>
            `${r.target}: ${r.candidates.map((c) => `${c.label} p50 ${c.batches[0]?.latencyMs.p50.toFixed(3)} ms`).join(', ')}${r.baseline ? ` (stable ${r.baseline.batches[0]?.latencyMs.p50.toFixed(3)} ms)` : ''}`,
        )
        .join('; '),
  );
}

/**
 * Picks a candidate per target (the fastest settled one that passed), then gates the serving pick
 * against the endpoint's stable version. Returns the candidate the gateway will serve.
 */
export function selectStage(d: Deployment): Candidate {
  const { spec, status } = d;
  const { benchmark } = spec.stages;
  const picks = new Map<Target, Candidate>();
  for (const target of spec.targets) {
    try {
      picks.set(
        target,
        selectCandidate(
          status.candidates.filter((c) => c.target === target),
          benchmark.minSpeedupPercent / 100,
        ),
      );
    } catch (error) {
      // A pipeline without validateStage (or one that let a failed base through) has nothing to serve.
      fail('benchmark', `no candidate to serve on ${target}: ${(error as Error).message}`);
    }
  }
  const servingTarget: Target = spec.targets.includes('cpu') ? 'cpu' : (spec.targets[0] as Target);
  const serving = picks.get(servingTarget) as Candidate;
  status.artifact = serving.artifact;
  status.validation = serving.validation;
  const baseline = status.benchmarks.find((b) => b.target === servingTarget)?.baseline;
  const pickP50 = serving.benchmark?.batches[0]?.latencyMs.p50;
  const baselineP50 = baseline?.batches[0]?.latencyMs.p50;
  if (pickP50 !== undefined && baselineP50 !== undefined && pickP50 > baselineP50 * (1 + benchmark.maxRegressionPercent / 100)) {
    const message = `${serving.label} is ${((pickP50 / baselineP50 - 1) * 100).toFixed(1)}% slower than ${baseline?.label} (p50 ${pickP50.toFixed(3)} ms vs ${baselineP50.toFixed(3)} ms; at most ${benchmark.maxRegressionPercent}% allowed)`;
    stageOf(d, 'benchmark').status = 'failed';
    stageOf(d, 'benchmark').summary = message;
    throw new StageFailed({ type: 'BenchmarkRegressed', stage: 'benchmark', message });
  }
  return serving;
}
