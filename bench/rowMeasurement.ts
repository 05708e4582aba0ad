/**
 * How `npm run bench:gateway` measures its rows: a section is one server (started, measured,
 * stopped) and the rows it serves; each row is measured at every concurrency, a warm-up run first.
 * A point whose load generator reports errors fails (with the reason), a server that does not
 * start fails its rows; neither stops the rest of the bench.
 */
import type { BenchServer } from './benchServer';
import type { BenchRow, PointOutcome, RowKey } from './benchTable';
import { LoadPointError, POINT_SECONDS, WARMUP_SECONDS, type LoadPoint } from './loadPoint';

export const CONCURRENCIES = (process.env.BENCH_CONCURRENCIES ?? '1,8,32').split(',').map(Number);

/** One run of a row's load at a concurrency, for a duration in seconds. */
export type Measure = (concurrency: number, seconds: number) => Promise<LoadPoint>;

export interface ServerSection<S extends { server?: BenchServer }> {
  start: () => Promise<S>;
  /** `warmsUp`: the measure warms up by itself (the in-process loop, a fresh process per point). */
  rows: { key: RowKey; label: string; measure: (started: S) => Measure; warmsUp?: boolean }[];
}

async function measureRow(label: string, measure: Measure, warmsUp: boolean): Promise<Record<number, PointOutcome>> {
  const points: Record<number, PointOutcome> = {};
  for (const c of CONCURRENCIES) {
    try {
      if (WARMUP_SECONDS > 0 && !warmsUp) await measure(c, WARMUP_SECONDS);
      points[c] = await measure(c, POINT_SECONDS);
    } catch (error) {
      if (!(error instanceof LoadPointError)) throw error;
      points[c] = { failed: error.message };
    }
    console.error(`bench: ${label} c=${c}: ${JSON.stringify(points[c])}`);
  }
  return points;
}

/** Starts the section's server, measures its rows into `rows`, stops it. */
export async function measureSection<S extends { server?: BenchServer }>(rows: BenchRow[], section: ServerSection<S>): Promise<void> {
  let started: S;
  try {
    started = await section.start();
  } catch (error) {
    const lines = (error as Error).message.split('\n').filter(Boolean);
    const failed = { failed: `did not start: ${lines[0]} … ${lines.at(-1)}` };
    console.error((error as Error).message);
    for (const { key, label } of section.rows) rows.push({ key, label, points: Object.fromEntries(CONCURRENCIES.map((c) => [c, failed])) });
    return;
  }
  try {
    for (const { key, label, measure, warmsUp } of section.rows) rows.push({ key, label, points: await measureRow(label, measure(started), warmsUp ?? false) });
  } finally {
    await started.server?.stop();
  }
}

/** A Measure whose set-up (writing a body file) runs on first use. */
export function lazy(make: () => Promise<Measure>): Measure {
  let made: Promise<Measure> | undefined;
  return async (c, s) => (await (made ??= make()))(c, s);
}
