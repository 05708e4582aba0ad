/**
 * The results of `npm run bench:gateway`: one row per server and configuration, one point per
 * concurrency, the ratios the issue asks for (against the HTTP floor, batching at low load, against
 * the peers, batching against batching) and its goals as PASS/FAIL, printed as one table.
 */
import type { LoadPoint } from './loadPoint';

/** A measured point, a failed one (never a number), or one that does not apply to this checkout. */
export type PointOutcome = LoadPoint | { failed: string };

export interface BenchRow {
  key: RowKey;
  label: string;
  points: Record<number, PointOutcome>;
}

export type RowKey =
  | 'inprocess'
  | 'floor'
  | 'json'
  | 'jsonBatching'
  | 'binary'
  | 'grpc'
  | 'grpcBatching'
  | 'mlserver'
  | 'mlserverBatching'
  | 'tritonHttp'
  | 'tritonGrpc';

const MODELSHIP_ROWS: RowKey[] = ['json', 'jsonBatching', 'binary', 'grpc', 'grpcBatching'];
/** Modelship row against peer row, batching against batching. */
const PEER_PAIRS: [RowKey, RowKey][] = [
  ['json', 'mlserver'],
  ['jsonBatching', 'mlserverBatching'],
  ['jsonBatching', 'tritonHttp'],
  ['grpcBatching', 'tritonGrpc'],
];

export interface Ratio {
  name: string;
  concurrency: number;
  value: number | null;
  goal?: number;
}

const measured = (p: PointOutcome | undefined): LoadPoint | undefined => (p && 'requestsPerSecond' in p ? p : undefined);

function ratio(rows: BenchRow[], a: RowKey, b: RowKey, ca: number, cb = ca): number | null {
  const x = measured(rows.find((r) => r.key === a)?.points[ca]);
  const y = measured(rows.find((r) => r.key === b)?.points[cb]);
  return x && y ? x.requestsPerSecond / y.requestsPerSecond : null;
}

const label = (rows: BenchRow[], key: RowKey): string => rows.find((r) => r.key === key)?.label ?? key;

/**
 * At c=1 a request pays an HTTP round trip and then the model, back to back: no server can beat
 * 1 / (1/floor + 1/in-process). Where the model alone is slower than the HTTP floor (this MLP), the
 * floor ratio cannot reach 1 and this is the ratio that says how much the server adds.
 */
function serialCeilingRatios(rows: BenchRow[]): Ratio[] {
  const floor = measured(rows.find((r) => r.key === 'floor')?.points[1]);
  const model = measured(rows.find((r) => r.key === 'inprocess')?.points[1]);
  if (!floor || !model) return [];
  const ceiling = 1 / (1 / floor.requestsPerSecond + 1 / model.requestsPerSecond);
  return (['json', 'binary', 'grpc'] as const).map((key) => {
    const point = measured(rows.find((r) => r.key === key)?.points[1]);
    return { name: `${label(rows, key)} / serial ceiling (floor then model)`, concurrency: 1, value: point ? point.requestsPerSecond / ceiling : null };
  });
}

/** Every ratio the bench prints, with the issue's goal where it sets one. */
export function benchRatios(rows: BenchRow[], concurrencies: number[]): Ratio[] {
  const out: Ratio[] = [];
  const top = Math.max(...concurrencies);
  for (const key of MODELSHIP_ROWS) {
    for (const c of concurrencies) {
      const goal = (key === 'json' && c === 1) || (key === 'jsonBatching' && c === top) ? 0.8 : undefined;
      out.push({ name: `${label(rows, key)} / HTTP floor`, concurrency: c, value: ratio(rows, key, 'floor', c), goal });
    }
  }
  out.push({ name: 'batching c=1 / no batching c=1', concurrency: 1, value: ratio(rows, 'jsonBatching', 'json', 1), goal: 0.9 });
  out.push(...serialCeilingRatios(rows));
  for (const [ours, peer] of PEER_PAIRS) {
    for (const c of concurrencies)
      out.push({ name: `${label(rows, ours)} / ${label(rows, peer)}`, concurrency: c, value: ratio(rows, ours, peer, c), goal: 2 });
  }
  return out;
}

const num = (n: number): string => Math.round(n).toLocaleString('en-US');

function cell(point: PointOutcome | undefined): string {
  if (!point) return '-';
  if ('failed' in point) return 'FAILED';
  return `${num(point.requestsPerSecond)} (${point.p50Ms.toFixed(2)}/${point.p99Ms.toFixed(2)})`;
}

export function formatTable(rows: BenchRow[], concurrencies: number[]): string {
  const lines = [
    `| server | ${concurrencies.map((c) => `c=${c} req/s (p50/p99 ms)`).join(' | ')} |`,
    `| --- | ${concurrencies.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.label} | ${concurrencies.map((c) => cell(r.points[c])).join(' | ')} |`),
  ];
  const failures = rows.flatMap((r) =>
    concurrencies.flatMap((c) => (r.points[c] && 'failed' in r.points[c] ? [`FAILED ${r.label} c=${c}: ${r.points[c].failed}`] : [])),
  );
  return [...lines, ...failures].join('\n');
}

export function formatRatios(ratios: Ratio[]): string {
  const byName = new Map<string, Ratio[]>();
  for (const r of ratios) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  return [...byName.entries()]
    .map(([name, list]) => {
      const values = list.map((r) => {
        const value = r.value === null ? 'n/a' : `${r.value.toFixed(2)}×`;
        const verdict = r.goal === undefined || r.value === null ? '' : r.value >= r.goal ? ` PASS (goal ≥ ${r.goal}×)` : ` FAIL (goal ≥ ${r.goal}×)`;
        return `c=${r.concurrency} ${value}${verdict}`;
      });
      return `${name.padEnd(62)} ${values.join('   ')}`;
    })
    .join('\n');
}
