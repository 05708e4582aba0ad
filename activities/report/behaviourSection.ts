/**
 * The deployment report's "Behaviour vs stable" section: the fp32 candidate against the stable
 * version on the same replay inputs, output by output, and the gate's verdict (passed, accepted
 * with its reason, or refused with what changed). Shown whether the gate passed or not.
 */
import type { BehaviourDiff, DeploymentStatus, OutputBehaviour, ValueRange } from '../../sdk/schemas';
import { behaviourSummary } from '../../sdk/behaviourSummary';
import { shortDigest } from '../../sdk/shortDigest';
import { escapeHtml } from './escapeHtml';

/** The base candidate's behaviour diff, if the validate stage measured one. */
export function behaviourOf(status: DeploymentStatus): BehaviourDiff | undefined {
  return status.candidates.find((c) => c.pass === 'convert' && c.validation?.behaviour)?.validation?.behaviour ?? status.validation?.behaviour;
}

export function behaviourSection(diff: BehaviourDiff | undefined): string {
  if (!diff) return '';
  const stable = diff.stable
    ? `<p>Stable <b>${escapeHtml(diff.stable.version)}</b> (<code>${shortDigest(diff.stable.digest)}…</code>${
        diff.stable.comparedDigest !== diff.stable.digest ? `, compared as its fp32 model <code>${shortDigest(diff.stable.comparedDigest)}…</code>` : ''
      })</p>`
    : '';
  const verdict =
    diff.changes.length === 0
      ? '<p>No change beyond the thresholds.</p>'
      : `<p class="${diff.passed ? '' : 'failure'}">${diff.passed ? `Changed, accepted: ${escapeHtml(diff.acceptedChange ?? '')}` : 'Changed, refused'}:</p><ul>${diff.changes
          .map((c) => `<li>${escapeHtml(c)}</li>`)
          .join('')}</ul>`;
  const rows = diff.sets.flatMap((set) => set.outputs.map((o) => outputRow(`${set.name} (${set.samples})`, o))).join('\n');
  const table = rows
    ? `<table><tr><th>inputs</th><th>output</th><th>top-1 / equal</th><th>mean delta</th><th>max abs delta</th><th>rel. err p99</th>
<th>stable range</th><th>candidate range</th><th>row sums (stable → candidate)</th><th>NaN/Inf</th></tr>${rows}</table>`
    : '';
  const accuracy = diff.accuracy
    ? `<p>Accuracy on the evaluation set: ${num(diff.accuracy.candidate)} (stable ${num(diff.accuracy.stable)}, drop ${num(diff.accuracy.drop)}, ${diff.accuracy.samples} rows)</p>`
    : '';
  return `<h2>Behaviour vs stable</h2><p>${escapeHtml(behaviourSummary(diff))}</p>${stable}${diff.note ? `<p>${escapeHtml(diff.note)}</p>` : ''}${table}${accuracy}${verdict}`;
}

function outputRow(inputs: string, o: OutputBehaviour): string {
  const agreement = o.top1Agreement ?? o.agreement;
  const sums = o.rowSums ? `${range(o.rowSums.stable)} → ${range(o.rowSums.candidate)}${o.rowSums.probabilities ? ' (probabilities)' : ''}` : '–';
  return `<tr class="${o.changes.length > 0 ? 'changed' : ''}"><td>${escapeHtml(inputs)}</td><td>${escapeHtml(o.name)}${o.note ? ` <small>${escapeHtml(o.note)}</small>` : ''}</td>
<td>${num(agreement)}</td><td>${num(o.meanDelta)}</td><td>${num(o.maxAbsDelta)}</td><td>${num(o.relativeError?.p99)}</td><td>${range(o.stable.range)}</td>
<td>${range(o.candidate.range)}</td><td>${sums}</td><td>${o.stable.nonFinite} → ${o.candidate.nonFinite}</td></tr>`;
}

function num(v: number | null | undefined): string {
  if (v === undefined) return '–';
  return v === null ? '∞/NaN' : String(Number(v.toPrecision(4)));
}

function range(r: ValueRange): string {
  return r.min === null || r.max === null ? '–' : `${num(r.min)} … ${num(r.max)}`;
}
