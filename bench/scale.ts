/**
 * `npm run bench:scale`: what keeping gateway replicas in step with the store costs, by fleet size.
 * Simulated replicas (in-process, each with its own S3 client, no models) × endpoints against a
 * real S3 server (SeaweedFS): store requests per second at rest, of the safety pass (every 5 min,
 * spread over its interval) and during a rollout (routing changes), the time until every replica
 * applied a change (p50/p99; with the release's nudge, and by the poll alone), and the cost of
 * those rates in S3 list prices. The baseline, measured in the
 * same run against the same server, is the behaviour change-driven reconciliation replaced: every
 * replica lists `endpoints/` and reads every routing document each second.
 *
 * Sizes: BENCH_SCALE_SIZES (default `10x100,50x1000`, replicas x endpoints); BENCH_SCALE_REST_S
 * (default 30, the at-rest window of the change-driven fleet: one liveness beat each),
 * BENCH_SCALE_BASELINE_REST_S (default 10), BENCH_SCALE_CHANGES (default 10 routing changes).
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { performance } from 'node:perf_hooks';
import { writeRouting } from '../activities/rollout/releaseVersion';
import { DEFAULT_FULL_PASS_INTERVAL_MS } from '../serving/reconciler';
import { openStore, s3ConfigFromEnv, type ArtifactStore } from '../store';
import { countingStore, type RequestCounts } from '../test/support/countingStore';
import { startS3Server } from '../test/support/s3Server';
import { changeDrivenFleet, pollEverythingFleet, ratesBetween, type SimulatedFleet } from './simulatedFleet';
import { dollarsPerDay } from './storeCostModel';

const SIZES = (process.env.BENCH_SCALE_SIZES ?? '10x100,50x1000').split(',').map((size) => size.split('x').map(Number) as [number, number]);
const REST_S = Number(process.env.BENCH_SCALE_REST_S ?? 30);
const BASELINE_REST_S = Number(process.env.BENCH_SCALE_BASELINE_REST_S ?? 10);
const CHANGES = Number(process.env.BENCH_SCALE_CHANGES ?? 10);
/** The change-driven fleet's full pass interval (the Reconciler's default), over which its requests are spread. */
const FULL_PASS_INTERVAL_S = DEFAULT_FULL_PASS_INTERVAL_MS / 1000;
const CREDENTIALS = { accessKeyId: 'modelship', secretAccessKey: 'modelship-secret' };
const DIGEST = 'b'.repeat(64);

interface Row {
  behaviour: string;
  replicas: number;
  endpoints: number;
  rest: RequestCounts;
  /** The safety pass's requests, as a rate over its interval (5 min). */
  safety: RequestCounts;
  rollout: RequestCounts;
  /** The fleet's requests per routing change during the rollout. */
  perChange: number;
  nudged: number[];
  polled: number[];
}

const total = (c: RequestCounts): number => c.list + c.put + c.get;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number);
}

/** A fresh bucket on the server, and a way to open stores on it. */
async function freshBucket(endpoint: string, name: string): Promise<(counts: RequestCounts) => ArtifactStore> {
  const env = {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
  const s3 = new S3Client(s3ConfigFromEnv(env, { credentials: CREDENTIALS }));
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  s3.destroy();
  return (counts) => countingStore(openStore(`s3://${name}`, { env, s3: { credentials: CREDENTIALS } }), counts).store;
}

/** Writes `count` endpoints' routing, 16 at a time. */
async function seed(store: ArtifactStore, count: number): Promise<void> {
  const names = Array.from({ length: count }, (_, i) => `ep-${i}`);
  for (let i = 0; i < names.length; i += 16) {
    await Promise.all(names.slice(i, i + 16).map((name) => writeRouting(store, name, 'bench', [{ version: 'v0', digest: DIGEST, weight: 100 }])));
  }
}

/** `count` routing changes, one endpoint each, nudging the fleet after each when asked; each replica's delay from the write to its apply, in ms. */
async function rollout(store: ArtifactStore, fleet: SimulatedFleet, endpoints: number, count: number, nudge: boolean, round: number): Promise<number[]> {
  const writes: Promise<number[]>[] = [];
  for (let c = 0; c < count; c++) {
    const endpoint = `ep-${(c * 7919 + round * 13) % endpoints}`;
    const generation = await writeRouting(store, endpoint, 'bench', [{ version: `v${round}-${c}`, digest: DIGEST, weight: 100 }]);
    const written = performance.now();
    if (nudge) fleet.nudge();
    writes.push(fleet.appliedAt(endpoint, generation, 300_000).then((times) => times.map((t) => t - written)));
    await sleep(200);
  }
  return (await Promise.all(writes)).flat();
}

async function measure(behaviour: string, open: (counts: RequestCounts) => ArtifactStore, replicas: number, endpoints: number, restS: number): Promise<Row> {
  const counts: RequestCounts = { list: 0, put: 0, get: 0 };
  const writer = open({ list: 0, put: 0, get: 0 });
  const stores = Array.from({ length: replicas }, () => open(counts));
  const fleet = behaviour === 'change-driven' ? await changeDrivenFleet(stores, { pollMs: 5000, heartbeatMs: 30_000 }) : await pollEverythingFleet(stores);
  // The fleet has read everything once: what follows is the steady state.
  await fleet.appliedAt('ep-0', 1, 600_000);
  let before = { ...counts };
  let started = performance.now();
  await sleep(restS * 1000);
  const rest = ratesBetween(before, counts, (performance.now() - started) / 1000);
  before = { ...counts };
  await fleet.fullPass();
  const safety = ratesBetween(before, counts, FULL_PASS_INTERVAL_S);
  before = { ...counts };
  started = performance.now();
  const nudged = await rollout(writer, fleet, endpoints, CHANGES, true, 1);
  const polled = behaviour === 'change-driven' ? await rollout(writer, fleet, endpoints, Math.ceil(CHANGES / 2), false, 2) : nudged;
  const rolloutRates = ratesBetween(before, counts, (performance.now() - started) / 1000);
  const changes = (nudged.length + (polled === nudged ? 0 : polled.length)) / replicas;
  const perChange = total(ratesBetween(before, counts, 1)) / changes;
  await fleet.stop();
  for (const store of [writer, ...stores]) store.close?.();
  return { behaviour, replicas, endpoints, rest, safety, rollout: rolloutRates, perChange, nudged, polled };
}

function format(rows: Row[]): string {
  const header = [
    'behaviour',
    'replicas x endpoints',
    'rest req/s (LIST/PUT/GET)',
    'rest $/day',
    'safety pass req/s',
    'rollout req/s',
    'rollout req per change',
    'applied p50/p99 ms (nudged)',
    'applied p50/p99 ms (poll only)',
  ];
  const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
  const lines = rows.map((r) => [
    r.behaviour,
    `${r.replicas} x ${r.endpoints}`,
    `${fmt(total(r.rest))} (${fmt(r.rest.list)}/${fmt(r.rest.put)}/${fmt(r.rest.get)})`,
    `$${dollarsPerDay(r.rest).toFixed(2)}`,
    r.behaviour === 'change-driven' ? fmt(total(r.safety)) : '(in rest)',
    fmt(total(r.rollout)),
    fmt(r.perChange),
    `${percentile(r.nudged, 0.5).toFixed(0)} / ${percentile(r.nudged, 0.99).toFixed(0)}`,
    r.behaviour === 'change-driven' ? `${percentile(r.polled, 0.5).toFixed(0)} / ${percentile(r.polled, 0.99).toFixed(0)}` : '(same)',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  return [header, ...lines].map((l) => l.map((cell, i) => cell.padEnd(widths[i] as number)).join('  ')).join('\n');
}

/** The arithmetic for the replaced behaviour: replicas x (1 LIST + endpoints GETs + 1 PUT) a second, as demanded (the server may serve less). */
function demanded(replicas: number, endpoints: number): string {
  const perSecond = { list: replicas, put: replicas, get: replicas * endpoints };
  return `${replicas} x ${endpoints}: ${total(perSecond)} req/s demanded, $${dollarsPerDay(perSecond).toFixed(0)}/day`;
}

async function main(): Promise<void> {
  const s3 = await startS3Server();
  const rows: Row[] = [];
  try {
    for (const [replicas, endpoints] of SIZES) {
      for (const behaviour of ['change-driven', 'poll-everything (before)']) {
        const open = await freshBucket(s3.endpoint, `scale-${replicas}x${endpoints}-${rows.length}`);
        await seed(open({ list: 0, put: 0, get: 0 }), endpoints);
        console.error(`measuring ${behaviour} at ${replicas} x ${endpoints}…`);
        rows.push(await measure(behaviour, open, replicas, endpoints, behaviour === 'change-driven' ? REST_S : BASELINE_REST_S));
      }
    }
  } finally {
    await s3.stop();
  }
  console.log(format(rows));
  console.log(`\nCost model: $0.005 per 1,000 LIST/PUT, $0.0004 per 1,000 GET (S3 list prices), at the measured rates above.`);
  console.log(`Before, on paper (every replica, every second): ${SIZES.map(([r, e]) => demanded(r, e)).join('; ')}.`);
  console.log(`Goal at rest: at most replicas / 5 s LIST + heartbeats (replicas / 30 s PUT), whatever the endpoints.`);
  console.log(`Safety pass: one listing of endpoints/ per 1,000 keys per replica every 5 min, reading only documents changed since.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
