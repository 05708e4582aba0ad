import type { ModelSession, TensorMap } from '../../runtime';
import { HttpError } from '../../protocol/httpError';
import { VersionExecutor } from '../../serving/versionExecutor';

/** A session that doubles its input and records the batch sizes it ran. */
function doublingSession(delayMs = 0) {
  const batches: number[] = [];
  const session: ModelSession = {
    signature: { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 2] }] },
    runtime: { ortVersion: 'x', executionProvider: 'cpu', intraOpThreads: 0 },
    async run(feeds: TensorMap) {
      const x = feeds.x as unknown as { shape: number[]; data: Float32Array };
      batches.push(x.shape[0] as number);
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      return { y: { datatype: 'FP32', shape: x.shape, data: x.data.map((v) => v * 2) } };
    },
    async release() {},
  };
  return { session, batches };
}

const request = (rows: number, start: number): TensorMap => ({
  x: { datatype: 'FP32', shape: [rows, 2], data: Float32Array.from({ length: rows * 2 }, (_, i) => start + i) },
});

test('batching concatenates concurrent requests and gives each its own rows back', async () => {
  const { session, batches } = doublingSession();
  const executor = new VersionExecutor(session, {
    maxConcurrency: 1,
    maxQueueSize: 100,
    queueTimeoutMs: 0,
    timeoutAction: 'reject',
    batching: { maxBatchSize: 8, maxQueueDelayMicroseconds: 20_000, preserveOrdering: true },
  });
  const results = await Promise.all([request(1, 0), request(2, 10), request(1, 20)].map((r) => executor.run(r)));
  expect(batches).toEqual([4]);
  expect(results.map((r) => Array.from(r.y?.data as Float32Array))).toEqual([
    [0, 2],
    [20, 22, 24, 26],
    [40, 42],
  ]);
  expect(results.map((r) => r.y?.shape)).toEqual([
    [1, 2],
    [2, 2],
    [1, 2],
  ]);
});

test('a batch never exceeds maxBatchSize rows', async () => {
  const { session, batches } = doublingSession();
  const executor = new VersionExecutor(session, {
    maxConcurrency: 1,
    maxQueueSize: 100,
    queueTimeoutMs: 0,
    timeoutAction: 'reject',
    batching: { maxBatchSize: 3, maxQueueDelayMicroseconds: 50_000, preserveOrdering: true },
  });
  await Promise.all(Array.from({ length: 7 }, (_, i) => executor.run(request(1, i))));
  expect(batches.every((b) => b <= 3)).toBe(true);
  expect(batches.reduce((a, b) => a + b, 0)).toBe(7);
});

test('without batching, one run per request, at most maxConcurrency at once, and 429 past the queue', async () => {
  const { session, batches } = doublingSession(20);
  const executor = new VersionExecutor(session, { maxConcurrency: 2, maxQueueSize: 2, queueTimeoutMs: 0, timeoutAction: 'reject' });
  const outcomes = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => executor.run(request(1, i))));
  const rejected = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
  expect(rejected).toHaveLength(2);
  expect(rejected.every((r) => r.reason instanceof HttpError && r.reason.status === 429)).toBe(true);
  expect(batches).toEqual([1, 1, 1, 1]);
});

test('a request waiting past the queue timeout is answered 503', async () => {
  const { session } = doublingSession(60);
  const executor = new VersionExecutor(session, { maxConcurrency: 1, maxQueueSize: 10, queueTimeoutMs: 20, timeoutAction: 'reject' });
  const [first, second] = await Promise.allSettled([executor.run(request(1, 0)), executor.run(request(1, 1))]);
  expect(first.status).toBe('fulfilled');
  expect(second.status).toBe('rejected');
  expect(((second as PromiseRejectedResult).reason as HttpError).status).toBe(503);
});

/** A session with `instances` whose runs finish only when the test says, recording each run's rows. */
function gatedSession(instances: number) {
  const runs: { rows: number[]; finish: () => void }[] = [];
  const session: ModelSession = {
    signature: { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 2] }] },
    runtime: { ortVersion: 'x', executionProvider: 'cpu', intraOpThreads: 0 },
    instances,
    run(feeds: TensorMap) {
      const x = feeds.x as unknown as { shape: number[]; data: Float32Array };
      return new Promise((resolve) => {
        const rows = [];
        for (let i = 0; i < (x.shape[0] as number); i++) rows.push(x.data[i * 2] as number);
        runs.push({ rows, finish: () => resolve({ y: { datatype: 'FP32', shape: x.shape, data: x.data } }) });
      });
    },
    async release() {},
  };
  return { session, runs };
}

const tick = () => new Promise((r) => setImmediate(r));
const adaptive = (maxBatchSize: number, extra: object = {}) => ({
  maxConcurrency: 99, // superseded by the session's instances
  maxQueueSize: 100,
  queueTimeoutMs: 0,
  timeoutAction: 'reject' as const,
  batching: { maxBatchSize, maxQueueDelayMicroseconds: 1_000_000, preserveOrdering: true },
  ...extra,
});

test('adaptive batching: an idle instance runs a request at once, whatever maxQueueDelayMicroseconds says', async () => {
  const { session, runs } = gatedSession(1);
  const executor = new VersionExecutor(session, adaptive(8));
  expect(executor.concurrency).toBe(1);
  const answer = executor.run(request(1, 0));
  await tick();
  expect(runs.map((r) => r.rows)).toEqual([[0]]);
  runs[0]?.finish();
  await answer;
});

test('adaptive batching: while every instance is busy, requests gather and the next free one takes ≤ maxBatchSize rows in order', async () => {
  const { session, runs } = gatedSession(2);
  const executor = new VersionExecutor(session, adaptive(3));
  const answers = [executor.run(request(1, 0))];
  await tick();
  answers.push(executor.run(request(1, 10)));
  await tick();
  expect(runs.map((r) => r.rows)).toEqual([[0], [10]]); // two instances, two runs at once
  for (const start of [20, 30, 40, 50, 60]) answers.push(executor.run(request(1, start)));
  await tick();
  expect(runs).toHaveLength(2); // all busy: the five wait
  expect(executor.queueDepth).toBe(5);
  runs[0]?.finish();
  await tick();
  expect(runs[2]?.rows).toEqual([20, 30, 40]);
  runs[1]?.finish();
  await tick();
  expect(runs[3]?.rows).toEqual([50, 60]);
  runs.slice(2).forEach((r) => r.finish());
  const outputs = await Promise.all(answers);
  expect(outputs.map((o) => (o.y?.data as Float32Array)[0])).toEqual([0, 10, 20, 30, 40, 50, 60]);
});

test('adaptive batching: requests queued beyond maxQueueSize (past what idle instances take) are answered 429', async () => {
  const { session, runs } = gatedSession(1);
  const executor = new VersionExecutor(session, adaptive(2, { maxQueueSize: 2 }));
  const outcomes = Array.from({ length: 5 }, (_, i) => executor.run(request(1, i * 10)));
  const settled = Promise.allSettled(outcomes);
  await tick();
  runs[0]?.finish();
  await tick();
  runs[1]?.finish();
  const results = await settled;
  expect(results.map((r) => (r.status === 'rejected' ? (r.reason as HttpError).status : 200))).toEqual([200, 200, 200, 429, 429]);
  expect(runs.map((r) => r.rows)).toEqual([[0, 10], [20]]);
});

test('adaptive batching: a request that waited past the queue timeout is answered 503 when an instance frees', async () => {
  const { session, runs } = gatedSession(1);
  const executor = new VersionExecutor(session, adaptive(4, { queueTimeoutMs: 20 }));
  const first = executor.run(request(1, 0));
  await tick();
  // Its refusal is caught as it happens (it may come before `first` settles), then checked.
  const late = executor.run(request(1, 10)).then(
    () => undefined,
    (error: unknown) => error,
  );
  await new Promise((r) => setTimeout(r, 40));
  runs[0]?.finish();
  await first;
  expect(await late).toMatchObject({ status: 503 });
  expect(runs).toHaveLength(1);
});

test('a batch that fails is run again request by request, so only the request that caused the failure fails', async () => {
  const { session, batches } = doublingSession();
  const failing: ModelSession = {
    ...session,
    async run(feeds: TensorMap) {
      const x = feeds.x as unknown as { data: Float32Array };
      if (x.data.includes(-1)) throw new Error('index -1 is out of bounds');
      return session.run(feeds);
    },
  };
  const executor = new VersionExecutor(failing, {
    maxConcurrency: 1,
    maxQueueSize: 100,
    queueTimeoutMs: 0,
    timeoutAction: 'reject',
    batching: { maxBatchSize: 8, maxQueueDelayMicroseconds: 0, preserveOrdering: true },
  });
  const bad: TensorMap = { x: { datatype: 'FP32', shape: [1, 2], data: Float32Array.from([-1, 0]) } };
  const outcomes = await Promise.allSettled([request(1, 0), bad, request(1, 20)].map((r) => executor.run(r)));
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'index -1 is out of bounds' });
  expect(Array.from((outcomes[2] as PromiseFulfilledResult<TensorMap>).value.y?.data as Float32Array)).toEqual([40, 42]);
  // The batch of all three (they arrived in one turn) failed before the session counted it; then one by one, the bad one failing.
  expect(batches).toEqual([1, 1]);
});

test("each request of a batch gets the batch's run time as its compute time (the session's own timing)", async () => {
  const { session, batches } = doublingSession();
  let runs = 0;
  const timed: ModelSession = { ...session, runTimed: async (feeds) => ({ outputs: await session.run(feeds), runMs: 7 + runs++ }) };
  const executor = new VersionExecutor(timed, adaptive(8, { maxConcurrency: 1 }));
  const results = await Promise.all([request(1, 0), request(2, 10)].map((r) => executor.runTimed(r)));
  expect(batches).toEqual([3]);
  expect(results.map((r) => r.runMs)).toEqual([7, 7]);
  expect(Array.from(results[1]?.outputs.y?.data as Float32Array)).toEqual([20, 22, 24, 26]);
});
