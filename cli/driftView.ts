/** How `modelship drift` shows an endpoint's drift checks: one table row per check, then why the latest one alerted. Pure. */
import type { DriftCheckResult } from '../sdk/schemas';

const COLUMNS = ['time', 'version', 'rows', 'worst feature (PSI)', 'prediction PSI', 'non-finite', 'verdict'] as const;

const psi = (v: number | undefined): string => (v === undefined ? '–' : v.toFixed(3));

function row(check: DriftCheckResult): string[] {
  return [
    check.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    check.version,
    String(check.rows),
    check.worstFeature ? `${check.worstFeature.name} (${psi(check.worstFeature.psi)})` : '–',
    psi(check.predictionPsi),
    `${(check.nonFiniteRate * 100).toFixed(2)}%`,
    check.verdict + (check.outcome ? ` (${check.outcome.split(':')[0]})` : ''),
  ];
}

/** The checks (oldest first) as an aligned table, then the reasons (and outcome) of the newest alert or other verdict. */
export function driftTable(endpoint: string, checks: readonly DriftCheckResult[]): string {
  if (checks.length === 0) return `endpoint ${endpoint}: no drift checks yet (enable them: modelship drift ${endpoint} --enable)`;
  const rows = [[...COLUMNS], ...checks.map(row)];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  const lines = rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd(),
  );
  const latest = checks[checks.length - 1] as DriftCheckResult;
  const why = [...latest.reasons, ...(latest.outcome ? [latest.outcome] : [])].map((reason) => `  ${reason}`);
  return [...lines, '', `latest (${latest.verdict}):`, ...why].join('\n');
}
