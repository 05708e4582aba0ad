/** How `modelship versions` prints an endpoint's versions: one row each, oldest first. Pure. */
import type { EndpointVersion } from '../sdk/client';
import { shortDigest } from '../sdk/shortDigest';

const HEADERS = ['version', 'digest', 'pass', 'source', 'served', 'verdict', 'aliases', 'report'] as const;

/** The table `modelship versions` prints (a `*` marks the version that serves). */
export function versionsTable(endpoint: string, versions: readonly EndpointVersion[]): string {
  if (versions.length === 0) return `endpoint ${endpoint}: no versions recorded yet (a version is recorded when it is promoted)`;
  const rows = versions.map((v) => [
    `${v.serves ? '*' : ' '}${v.version}`,
    shortDigest(v.digest),
    v.pass,
    v.source,
    describeServed(v.served),
    v.verdicts[v.verdicts.length - 1] ?? '',
    v.aliases.join(',') || '-',
    v.report ?? '-',
  ]);
  const all = [[...HEADERS].map((h, i) => (i === 0 ? ` ${h}` : h)), ...rows];
  const widths = HEADERS.map((_, column) => Math.max(...all.map((row) => (row[column] as string).length)));
  return all
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] as number))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** When a version served: its latest period (`from – to`, or `from – now`), and how many periods there were. */
export function describeServed(served: EndpointVersion['served']): string {
  const last = served[served.length - 1];
  if (!last) return '-';
  const period = `${last.from} – ${last.to ?? 'now'}`;
  return served.length > 1 ? `${period} (${served.length}×)` : period;
}
