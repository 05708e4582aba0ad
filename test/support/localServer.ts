/** Local HTTP servers for unit tests that talk to a replica: one listening on a free loopback port, and a URL nothing listens on. */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../cli/dev/ports';

/** Starts `server` on a free loopback port; resolves to its base URL. */
export async function listenLocally(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The URL of a port nothing listens on (one just freed): a replica killed since its last heartbeat. */
export async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

/** Closes `server`. */
export function closeServer(server: http.Server): Promise<unknown> {
  return new Promise((resolve) => server.close(resolve));
}
