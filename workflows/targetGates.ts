/**
 * The benchmark gate over every target's pick: each pick is judged against its own target's
 * benchmark report, whose baseline is the stable version as that target's replicas serve it (its
 * pick for the target). Pure and deterministic (workflow-safe).
 */
import type { BenchmarkGate, BenchmarkReport, Candidate, Target } from '../sdk/schemas';
import { judgeAgainstStable, judgeByP50, type GateLimits } from './benchmarkGate';

/** One target's gate decision, with the report it was judged on (the caller records `gate` on it). */
export interface TargetGate {
  target: Target;
  report: BenchmarkReport;
  gate: BenchmarkGate;
}

/** The gate's decisions on each of `targets`' picks that has a report with a stable baseline (targets without one are not gated). */
export function gatePicks(
  targets: readonly Target[],
  picks: ReadonlyMap<Target, Candidate>,
  reports: readonly BenchmarkReport[],
  limits: GateLimits,
): TargetGate[] {
  return targets.flatMap((target) => {
    const pick = picks.get(target);
    const report = reports.find((r) => r.target === target);
    const gate = pick && report ? gateOf(pick, report, limits) : undefined;
    return gate && report ? [{ target, report, gate }] : [];
  });
}

/** The gate's decision on the pick: from the interleaved comparison, or (reports of older workers) from the p50 ratio. */
function gateOf(pick: Candidate, report: BenchmarkReport, limits: GateLimits): BenchmarkGate | undefined {
  const { baseline } = report;
  if (!baseline || !pick.artifact) return undefined;
  if (!report.comparisons) return judgeByP50(pick, baseline, limits);
  const comparison = report.comparisons.find((c) => c.label === pick.label && c.digest === pick.artifact?.digest);
  return judgeAgainstStable({ label: pick.label, digest: pick.artifact.digest }, baseline, comparison, limits);
}
