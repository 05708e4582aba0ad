/**
 * The placement a routing change writes (`placeEndpoint`), over a store of replica heartbeats: a
 * replica that still looks live by its last heartbeat but does not answer (killed since) is never
 * chosen, and a chosen replica that stopped answering is replaced while the others stay. The replica
 * that answers is a small local HTTP server; the dead one a port nothing listens on.
 */
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { placeEndpoint, rendezvousOrder } from '../../activities/rollout/placementChoice';
import { writeRouting } from '../../activities/rollout/releaseVersion';
import type { ReplicaStatus } from '../../sdk/schemas';
import { closeServer, closedPortUrl, listenLocally } from '../support/localServer';
import { FsArtifactStore, storeKeys, writeDocument } from '../../store';

let dir: string;
let store: FsArtifactStore;
let server: http.Server;
let answeringUrl: string;
let deadUrl: string;
const digest = 'a'.repeat(64);
const desired = (replicas: number) => ({ versions: [{ version: 'v1', digest, weight: 100, serving: { pool: 'a', replicas } }] });

function heartbeat(replicaId: string, url: string): ReplicaStatus {
  const now = new Date().toISOString();
  return { replicaId, url, startedAt: now, heartbeatAt: now, heartbeatIntervalMs: 30_000, endpoints: {}, labels: { pool: 'a' } };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'place-'));
  store = new FsArtifactStore(dir);
  server = http.createServer((_request, response) => response.end('{}'));
  answeringUrl = await listenLocally(server);
  deadUrl = await closedPortUrl();
  await writeDocument(store, storeKeys.replica('gw-1'), heartbeat('gw-1', answeringUrl));
  await writeDocument(store, storeKeys.replica('gw-2'), heartbeat('gw-2', deadUrl));
  await writeDocument(store, storeKeys.replica('gw-3'), heartbeat('gw-3', answeringUrl));
});

afterAll(async () => {
  await closeServer(server);
  await rm(dir, { recursive: true, force: true });
});

test('a live-looking replica that does not answer is never chosen', async () => {
  expect(await placeEndpoint(store, 'classifier', desired(3), 1)).toEqual({ selector: { pool: 'a' }, replicas: ['gw-1', 'gw-3'] });
});

test('a chosen replica that stopped answering is replaced; a chosen one that answers stays', async () => {
  await writeRouting(store, 'classifier', 'test', { ...desired(2), placement: { selector: { pool: 'a' }, replicas: ['gw-1', 'gw-2'] } });
  expect((await placeEndpoint(store, 'classifier', desired(2), 1))?.replicas).toEqual(['gw-1', 'gw-3']);
  // The one rendezvous ranks second stays chosen: a routing write does not move it.
  const second = rendezvousOrder('classifier', ['gw-1', 'gw-3'])[1] ?? '';
  await writeRouting(store, 'classifier', 'test', { ...desired(1), placement: { selector: { pool: 'a' }, replicas: [second] } });
  expect((await placeEndpoint(store, 'classifier', desired(1), 1))?.replicas).toEqual([second]);
});
