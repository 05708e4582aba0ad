/**
 * The deployment report's drift section: the endpoint's recent drift checks of the version as an
 * inline SVG chart (worst input feature PSI and prediction PSI per check, the alert threshold
 * dashed, alerts in red) and a table of the latest check's features. No scripts.
 */
import type { DriftCheckResult } from '../../sdk/schemas';
import { escapeHtml } from './escapeHtml';

const WIDTH = 640;
const HEIGHT = 180;
const LEFT = 40;

/** The section's HTML: nothing when there are no checks; `threshold` is the feature PSI that alerts. */
export function driftSection(checks: readonly DriftCheckResult[], threshold: number): string {
  const judged = checks.filter((c) => c.verdict === 'ok' || c.verdict === 'alert');
  if (judged.length === 0) return checks.length > 0 ? '<h2>Drift</h2><p>No window judged yet (baseline or too few rows).</p>' : '';
  const max = Math.max(threshold * 1.5, ...judged.map((c) => Math.max(c.worstFeature?.psi ?? 0, c.predictionPsi ?? 0))) * 1.1;
  const x = (i: number): number => LEFT + (judged.length === 1 ? 0.5 : i / (judged.length - 1)) * (WIDTH - LEFT - 20);
  const y = (v: number): number => HEIGHT - 20 - (Math.min(v, max) / max) * (HEIGHT - 40);
  const line = (values: (number | undefined)[], colour: string): string =>
    `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${values.map((v, i) => `${x(i).toFixed(1)},${y(v ?? 0).toFixed(1)}`).join(' ')}"/>`;
  const dots = judged
    .map(
      (c, i) =>
        `<circle cx="${x(i).toFixed(1)}" cy="${y(c.worstFeature?.psi ?? 0).toFixed(1)}" r="4" fill="${c.verdict === 'alert' ? '#c33' : '#3a3'}"><title>${escapeHtml(`${c.at}: ${c.verdict}`)}</title></circle>`,
    )
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="drift per check">
<line x1="${LEFT}" x2="${WIDTH - 20}" y1="${y(threshold)}" y2="${y(threshold)}" stroke="#c33" stroke-dasharray="4 3"/><text x="2" y="${y(threshold) + 4}">${threshold}</text>
<text x="2" y="${y(max) + 10}">${max.toFixed(2)}</text><text x="2" y="${y(0)}">0</text>
${line(
  judged.map((c) => c.predictionPsi),
  '#96c',
)}${line(
    judged.map((c) => c.worstFeature?.psi),
    '#369',
  )}${dots}</svg>`;
  const latest = judged[judged.length - 1] as DriftCheckResult;
  const rows = latest.features
    .map(
      (f) =>
        `<tr class="${f.drifted ? 'changed' : ''}"><td>${escapeHtml(f.name)}</td><td>${f.kind}</td><td>${f.psi.toFixed(3)}</td><td>${f.pValue.toExponential(1)}</td><td>${f.window.mean.toFixed(3)}</td><td>${f.window.std.toFixed(3)}</td></tr>`,
    )
    .join('');
  return `<h2>Drift</h2>${svg}<p>Blue: worst input feature PSI; purple: prediction PSI; dashed: alert threshold; dots: checks (red: alert).</p>
<p>Latest judged check ${escapeHtml(latest.at)}: <b>${latest.verdict}</b>, ${latest.rows} rows${latest.reasons.length ? `: ${escapeHtml(latest.reasons.join('; '))}` : ''}</p>
<table><tr><th>feature</th><th>kind</th><th>PSI</th><th>p</th><th>mean</th><th>std</th></tr>${rows}</table>`;
}
