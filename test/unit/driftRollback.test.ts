/**
 * A drift alert's rollback: the endpoint's answer to the `rollback` Update (done, refused, or no
 * endpoint workflow) is the alert's outcome, written into the check's document. The Temporal
 * client is a stand-in answering as the server would (the integration test runs the real one).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { rollBackForDrift } from '../../activities/drift/driftRollback';
import { driftCheckResult } from '../../sdk/schemas';
import { FsArtifactStore, readDocument, storeKeys, writeDocument } from '../../store';

let dir: string;
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A client whose `rollback` Update answers with `answer` (a value, or an error thrown). */
function clientAnswering(answer: () => Promise<string>, asked: unknown[]): Client {
  const handle = { executeUpdate: (_update: unknown, options: { args: unknown[] }) => (asked.push(...options.args), answer()) };
  return { workflow: { getHandle: () => handle } } as unknown as Client;
}

test('the rollback, its refusal while a deployment runs, or a missing endpoint workflow is recorded as the outcome', async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'modelship-drift-rollback-'));
  const store = new FsArtifactStore(dir);
  const at = '2026-12-02T04:00:00.000Z';
  const check = {
    endpoint: 'fraud',
    version: 'v2',
    at,
    verdict: 'alert',
    reasons: ['x'],
    rows: 1,
    windowEndMs: 1,
    baselineRows: 1,
    features: [],
    nonFiniteRate: 0,
    baselineNonFiniteRate: 0,
  };
  await writeDocument(store, storeKeys.driftCheck('fraud', at), check);
  const input = { endpoint: 'fraud', at, reason: 'drift alert on fraud v2: x' };
  const asked: unknown[] = [];

  await expect(
    rollBackForDrift(
      store,
      input,
      clientAnswering(async () => 'rolled back from v2 to v1', asked),
    ),
  ).resolves.toBe('rolled back: rolled back from v2 to v1');
  expect(asked).toEqual([{ reason: input.reason, by: 'drift monitoring' }]);

  const refusal = new WorkflowUpdateFailedError(
    'Workflow Update failed',
    ApplicationFailure.create({ message: 'deploy/fraud/v3 is in progress; once its rollout has started, abort it instead' }),
  );
  const refused = await rollBackForDrift(
    store,
    input,
    clientAnswering(() => Promise.reject(refusal), asked),
  );
  expect(refused).toBe('rollback refused: deploy/fraud/v3 is in progress; once its rollout has started, abort it instead');
  expect((await readDocument(store, storeKeys.driftCheck('fraud', at), driftCheckResult))?.outcome).toBe(refused);

  const gone = new WorkflowNotFoundError('not found', 'endpoint/fraud', undefined);
  await expect(
    rollBackForDrift(
      store,
      input,
      clientAnswering(() => Promise.reject(gone), asked),
    ),
  ).resolves.toBe('rollback not started: endpoint fraud has no running endpoint workflow');
  await expect(
    rollBackForDrift(
      store,
      input,
      clientAnswering(() => Promise.reject(new Error('connection reset')), asked),
    ),
  ).rejects.toThrow('connection reset');
});
