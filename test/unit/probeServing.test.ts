/**
 * The inference check after a rollback (`probeServing` / `verifyServing`): a replica that still looks
 * live by its last heartbeat but cannot be reached (killed since) is left out and named; with no
 * replica reachable at all the check fails. The smoke probe (a release gate) leaves nobody out, and
 * a replica that fails after it first answered is a failure, not an unreachable one. The replica that answers is a small local HTTP server
 * speaking the two v2 routes the check uses.
 */
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { probeServing, verifyServing } from '../../activities/rollout/verifyServing';
import type { ReplicaStatus } from '../../sdk/schemas';
import { closeServer, closedPortUrl, listenLocally } from '../support/localServer';
import { FsArtifactStore, storeKeys, writeDocument } from '../../store';

let dir: string;
let store: FsArtifactStore;
let server: http.Server;
let answeringUrl: string;
let half: http.Server;
let halfUrl: string;
/** A port nothing listens on (a server opened and closed). */
let deadUrl: string;

function heartbeat(replicaId: string, url: string): ReplicaStatus {
  const now = new Date().toISOString();
  return { replicaId, url, startedAt: now, heartbeatAt: now, heartbeatIntervalMs: 30_000, endpoints: {} };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'probe-'));
  store = new FsArtifactStore(dir);
  server = http.createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.method === 'GET') return response.end(JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }] }));
    request.resume();
    request.on('end', () => {
      response.setHeader('x-modelship-version', 'v1');
      response.end(JSON.stringify({ outputs: [] }));
    });
  });
  answeringUrl = await listenLocally(server);
  // Answers the metadata route, then drops every inference request's connection.
  half = http.createServer((request, response) => {
    if (request.method === 'GET') return response.end(JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }] }));
    request.socket.destroy();
  });
  halfUrl = await listenLocally(half);
  deadUrl = await closedPortUrl();
});

afterAll(async () => {
  await closeServer(server);
  await closeServer(half);
  await rm(dir, { recursive: true, force: true });
});

test('a live-looking replica that cannot be reached is left out and named; the others are checked', async () => {
  await writeDocument(store, storeKeys.replica('gw-1'), heartbeat('gw-1', answeringUrl));
  await writeDocument(store, storeKeys.replica('gw-2'), heartbeat('gw-2', deadUrl));
  const check = await verifyServing(store, 'classifier', 'v1', 3);
  expect(check).toEqual({ replicas: 1, requests: 3, versions: { v1: 3 }, unreachable: ['gw-2'] });
  await expect(verifyServing(store, 'classifier', 'v2', 1)).rejects.toThrow('classifier should answer from v2 only, but answers from v1');
});

test('the smoke probe (a release gate) still fails on a replica it cannot reach', async () => {
  await writeDocument(store, storeKeys.replica('gw-1'), heartbeat('gw-1', answeringUrl));
  await writeDocument(store, storeKeys.replica('gw-2'), heartbeat('gw-2', deadUrl));
  await expect(probeServing(store, 'classifier', { requestsPerReplica: 1 })).rejects.toThrow('fetch failed');
});

test('a replica that fails after its first answer is not left out: the check fails', async () => {
  await writeDocument(store, storeKeys.replica('gw-1'), heartbeat('gw-1', answeringUrl));
  await writeDocument(store, storeKeys.replica('gw-2'), heartbeat('gw-2', halfUrl));
  await expect(verifyServing(store, 'classifier', 'v1', 2)).rejects.toThrow('fetch failed');
});

test('no reachable replica at all fails the check (it is retried), naming them', async () => {
  await store.delete(storeKeys.replica('gw-1'));
  await writeDocument(store, storeKeys.replica('gw-2'), heartbeat('gw-2', deadUrl));
  await expect(verifyServing(store, 'classifier', 'v1', 1)).rejects.toThrow('no replica serving classifier could be reached (gw-2)');
});
