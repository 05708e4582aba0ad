/**
 * The deployment report: the run's status as JSON, and a self-contained HTML page (inline SVG, no
 * scripts or external assets) with latency distributions per candidate, the size and parity table,
 * which candidate was chosen and why, the passes that were skipped (did not apply to the model) and why, and the fp32 candidate's behaviour against the stable
 * version, and (once drift checks ran) its drift chart. Stored at `reports/<endpoint>/<version>/report.{json,html}`.
 */
import type { Candidate, DeploymentStatus, ReportLocation } from '../../sdk/schemas';
import { shortDigest } from '../../sdk/shortDigest';
import { storeKeys, writeDocument, type ArtifactStore } from '../../store';
import { behaviourOf, behaviourSection } from './behaviourSection';
import { escapeHtml } from './escapeHtml';

export async function writeDeploymentReport(store: ArtifactStore, status: DeploymentStatus): Promise<ReportLocation> {
  const json = storeKeys.report(status.endpoint, status.version, 'json');
  await writeDocument(store, json, status);
  const html = await writeReportHtml(store, status);
  return { json, html, uri: `${store.uri.replace(/\/$/, '')}/${html}` };
}

/** Writes the report's HTML page, with `extraSections` (the drift section, once checks ran) at its end; answers its key. */
export async function writeReportHtml(store: ArtifactStore, status: DeploymentStatus, extraSections = ''): Promise<string> {
  const html = storeKeys.report(status.endpoint, status.version, 'html');
  await store.put(html, Buffer.from(renderHtml(status, extraSections)), { contentType: 'text/html; charset=utf-8' });
  return html;
}

const num = (v: number | undefined, digits = 3): string => (v === undefined ? '–' : Number.isFinite(v) ? v.toFixed(digits) : String(v));

export function renderHtml(status: DeploymentStatus, extraSections = ''): string {
  const rows = status.candidates
    .map((c) => {
      const batch = c.benchmark?.batches[0];
      const parity = c.validation?.parity?.outputs ?? [];
      const worst = parity.reduce((m, p) => Math.max(m, p.maxAbsError ?? Infinity), 0);
      const agreement = parity.find((p) => p.top1Agreement !== undefined)?.top1Agreement;
      return `<tr class="${c.selected ? 'selected' : ''}"><td>${escapeHtml(c.label)}</td><td>${c.target}</td><td>${escapeHtml(c.pass)}</td>
<td>${c.artifact ? (c.artifact.sizeBytes / 1024).toFixed(1) : '–'} KiB</td><td>${num(worst, 6)}</td><td>${num(agreement, 4)}</td>
<td>${num(c.validation?.accuracy?.value, 4)}</td><td>${num(batch?.latencyMs.p50)}</td><td>${num(batch?.latencyMs.p99)}</td>
<td>${batch ? batch.throughputPerSec.toFixed(0) : '–'}${batch && !batch.stable ? ' (unstable)' : ''}</td><td>${escapeHtml(c.verdict)}</td></tr>`;
    })
    .join('\n');
  const stages = status.stages.map((s) => `<li><b>${escapeHtml(s.name)}</b> ${s.status}${s.summary ? `: ${escapeHtml(s.summary)}` : ''}</li>`).join('');
  const failure = status.failure
    ? `<p class="failure">Stopped at ${escapeHtml(status.failure.stage)}: <b>${status.failure.type}</b>: ${escapeHtml(status.failure.message)}</p>`
    : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>Modelship: ${escapeHtml(status.endpoint)} ${escapeHtml(status.version)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
td:first-child,th:first-child,td:last-child{text-align:left}tr.selected{background:#e8f6e8}tr.changed{background:#fbeaea}.failure{color:#a00}svg text{font:11px sans-serif}</style></head><body>
<h1>${escapeHtml(status.endpoint)} · ${escapeHtml(status.version)} · ${status.phase}</h1>
<p>Workflow <code>${escapeHtml(status.workflowId)}</code>${status.artifact ? `, serving artifact <code>${shortDigest(status.artifact.digest)}…</code>` : ''}</p>
${failure}<h2>Stages</h2><ul>${stages}</ul>
<h2>Candidates</h2><table><tr><th>candidate</th><th>target</th><th>pass</th><th>size</th><th>max abs err</th><th>top-1 agr.</th><th>accuracy</th>
<th>p50 ms</th><th>p99 ms</th><th>items/s</th><th>verdict</th></tr>${rows}</table>
${skippedSection(status.candidates)}
${behaviourSection(behaviourOf(status))}
<h2>Latency distribution (batch ${status.candidates.find((c) => c.benchmark)?.benchmark?.batches[0]?.batchSize ?? 1})</h2>${latencyChart(
    status.candidates,
    status.benchmarks.map((b) => b.baseline),
  )}
${extraSections}</body></html>`;
}

/** The passes that made no candidate because they do not apply to this model, each once with its reason. */
export function skippedSection(candidates: readonly Candidate[]): string {
  const skipped = new Map<string, { reason: string; targets: string[] }>();
  for (const c of candidates) {
    if (c.skipped === undefined) continue;
    const entry = skipped.get(c.pass) ?? { reason: c.skipped, targets: [] };
    entry.targets.push(c.target);
    skipped.set(c.pass, entry);
  }
  if (skipped.size === 0) return '';
  const items = [...skipped].map(([pass, s]) => `<li><b>${escapeHtml(pass)}</b> (${s.targets.join(', ')}): ${escapeHtml(s.reason)}</li>`);
  return `<h2>Skipped passes</h2><ul>${items.join('')}</ul>`;
}

/** One horizontal box plot (min, p50, p90, p99, max) per measured model, on a shared axis. */
function latencyChart(candidates: readonly Candidate[], baselines: readonly (Candidate['benchmark'] | undefined)[]): string {
  const series = [
    ...candidates.filter((c) => c.benchmark).map((c) => ({ label: `${c.label} (${c.target})`, b: c.benchmark?.batches[0] })),
    ...baselines.filter((b) => b).map((b) => ({ label: `${b?.label} (baseline)`, b: b?.batches[0] })),
  ].filter((s) => s.b);
  if (series.length === 0) return '<p>No benchmark ran.</p>';
  const max = Math.max(...series.map((s) => s.b?.latencyMs.p99 ?? 0)) * 1.1 || 1;
  const width = 640;
  const left = 180;
  const x = (v: number): number => left + (Math.min(v, max) / max) * (width - left - 20);
  const rowsSvg = series
    .map((s, i) => {
      const y = 20 + i * 34;
      const l = s.b?.latencyMs;
      if (!l) return '';
      const dots = (s.b?.samplesMs ?? [])
        .map((v, j) => `<circle cx="${x(v).toFixed(1)}" cy="${y + 8 + ((j * 7) % 9) - 4}" r="1.2" fill="#69c" opacity="0.5"/>`)
        .join('');
      return `<text x="4" y="${y + 12}">${escapeHtml(s.label)}</text>${dots}
<line x1="${x(l.min)}" x2="${x(l.p99)}" y1="${y + 8}" y2="${y + 8}" stroke="#444"/>
<rect x="${x(l.p50)}" y="${y}" width="${Math.max(1, x(l.p90) - x(l.p50))}" height="16" fill="#9cd" stroke="#444"/>
<line x1="${x(l.p50)}" x2="${x(l.p50)}" y1="${y}" y2="${y + 16}" stroke="#000" stroke-width="2"/>
<text x="${x(l.p99) + 4}" y="${y + 12}">p50 ${l.p50.toFixed(3)} · p99 ${l.p99.toFixed(3)} ms</text>`;
    })
    .join('');
  const height = 30 + series.length * 34;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => `<text x="${x(f * max) - 8}" y="${height}">${(f * max).toFixed(2)}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width + 120}" height="${height + 10}" role="img" aria-label="latency distribution">${rowsSvg}${ticks}</svg>
<p>Box: p50–p90; whisker: min–p99; dots: raw samples (ms).</p>`;
}
